#include "http/api.hpp"

#include "model/ulid.hpp"

namespace fabro::http {

using Pistache::Http::Code;
using Pistache::Rest::Request;
namespace Routes = Pistache::Rest::Routes;

std::optional<std::string> path_run_id(const Request& req, reply& rep) {
  auto id = model::parse_ulid(req.param(":id").as<std::string>());
  if (!id) {
    rep.send_problem(model::make_problem(model::errc::invalid_run_id, "Invalid run ID."));
    return std::nullopt;
  }
  return *id;
}

api::api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg)
    : ctx_{sys, std::move(orch), std::move(cfg)} {}

std::vector<route> api::routes() {
  std::vector<route> all;
  for (auto list : {system_routes(), run_routes(), workflow_routes()})
    all.insert(all.end(), list.begin(), list.end());
  return all;
}

Pistache::Rest::Route::Handler api::guarded(route_handler h) {
  return [this, h = std::move(h)](const Request& req, Pistache::Http::ResponseWriter writer) {
    auto rep = make_reply(req, std::move(writer));
    try {
      h(ctx_, req, rep);
    } catch (const std::exception&) {
      // Never leak exception text to clients (toolchain notes, gotcha 14).
      rep->send_error(Code::Internal_Server_Error, "Internal server error.");
    }
    return Pistache::Rest::Route::Result::Ok;
  };
}

void api::install(Pistache::Rest::Router& router) {
  for (auto& r : routes()) {
    if (r.method == "GET") Routes::Get(router, r.path, guarded(r.handle));
    else if (r.method == "POST") Routes::Post(router, r.path, guarded(r.handle));
    else if (r.method == "DELETE") Routes::Delete(router, r.path, guarded(r.handle));
    else if (r.method == "PUT") Routes::Put(router, r.path, guarded(r.handle));
  }
  router.addNotFoundHandler(guarded([](const route_context&, const Request&, reply_ptr rep) {
    rep->send_error(Code::Not_Found, "Not found.");
  }));
}

}  // namespace fabro::http
