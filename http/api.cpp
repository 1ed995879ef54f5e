#include "http/api.hpp"

#include <chrono>
#include <cstring>
#include <sstream>

#include <caf/scoped_actor.hpp>

#include "http/openapi.hpp"
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

bool octet_body(const Request& req, reply& rep, const char* multipart_text) {
  auto type = req.headers().tryGetRaw("Content-Type");
  if (type) {
    std::string value = type->value();
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (value.rfind("multipart/", 0) == 0) {
      rep.send_problem(model::make_problem(model::errc::invalid_request, multipart_text));
      return false;
    }
  }
  return true;
}

namespace {

// The orchestrator's journal, for the create fast path; null if it cannot
// say (then creates take the orchestrator's typed path).
actors::journal_actor journal_of(caf::actor_system& sys, const actors::orchestrator_actor& orch) {
  actors::journal_actor journal;
  if (!orch) return journal;
  caf::scoped_actor self{sys};
  self->request(orch, std::chrono::seconds(10), actors::intake_atom::value)
      .receive([&](actors::journal_actor& j) { journal = std::move(j); }, [](caf::error&) {});
  return journal;
}

}  // namespace

api::api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg,
         actors::event_hub_actor hub)
    : ctx_{sys, orch, std::move(cfg), std::move(hub), journal_of(sys, orch),
           actors::spawn_graph_renderer(sys)} {}

api::~api() { stop(); }

void api::stop() { caf::anon_send_exit(ctx_.renderer, caf::exit_reason::user_shutdown); }

std::vector<route> api::routes() {
  std::vector<route> all;
  for (auto list : {system_routes(), run_routes(), control_routes(), question_routes(),
                    workflow_routes(), attach_routes(), run_detail_routes(), worker_routes(), stage_routes(),
                    graph_routes()})
    all.insert(all.end(), list.begin(), list.end());
  auto docs = openapi_routes();  // the document is itself a (documented) route
  all.insert(all.end(), docs.begin(), docs.end());
  return all;
}

std::optional<authenticator> api::make_authenticator(const http_config& cfg) {
  auto a = authenticator::create(cfg.auth, cfg.host);
  if (!a) return std::nullopt;
  return std::move(*a);
}

namespace {

// Request line plus header lines as the client sent them, give or take
// whitespace: Pistache keeps no raw copy, so this is rebuilt from the parsed
// request.
size_t header_bytes(const Request& req) {
  size_t n = req.resource().size() + req.query().as_str().size() + 16;
  for (const auto& [name, raw] : req.headers().rawList()) n += name.size() + raw.value().size() + 4;
  std::ostringstream values;
  for (const auto& h : req.headers().list()) {
    h->write(values);
    n += std::strlen(h->name()) + 4;
  }
  return n + static_cast<size_t>(values.tellp());
}

}  // namespace

Pistache::Rest::Route::Handler api::guarded(route_handler h, route_access access) {
  return [this, h = std::move(h), access](const Request& req,
                                          Pistache::Http::ResponseWriter writer) {
    auto rep = make_reply(req, std::move(writer));
    try {
      const auto& cfg = ctx_.cfg;
      if (header_bytes(req) > cfg.max_header_bytes) {
        rep->send_problem(model::make_problem(
            model::errc::payload_too_large,
            "Request headers exceed the limit of " + std::to_string(cfg.max_header_bytes) +
                " bytes."));
        return Pistache::Rest::Route::Result::Ok;
      }
      if (!auth_) {
        rep->send_problem(model::make_problem(model::errc::unavailable,
                                              "Authentication is not configured."));
        return Pistache::Rest::Route::Result::Ok;
      }
      auto header = req.headers().tryGet<Pistache::Http::Header::Authorization>();
      std::string value = header ? header->value() : std::string();
      auto now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      auto who = auth_->check(header ? &value : nullptr, access, now);
      if (!who) {
        rep->send_problem(who.error());
        return Pistache::Rest::Route::Result::Ok;
      }
      rep->set_caller(std::move(who->login), std::move(who->method));
      if (req.body().size() > cfg.max_body_bytes) {
        rep->send_problem(model::make_problem(
            model::errc::payload_too_large,
            "Request body exceeds the limit of " + std::to_string(cfg.max_body_bytes) +
                " bytes."));
        return Pistache::Rest::Route::Result::Ok;
      }
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
    auto handler = guarded(r.handle, r.access);
    if (r.method == "GET") Routes::Get(router, r.path, handler);
    else if (r.method == "POST") Routes::Post(router, r.path, handler);
    else if (r.method == "DELETE") Routes::Delete(router, r.path, handler);
    else if (r.method == "PUT") Routes::Put(router, r.path, handler);
  }
  router.addNotFoundHandler(guarded([](const route_context&, const Request&, reply_ptr rep) {
    rep->send_error(Code::Not_Found, "Not found.");
  }, route_access::open));
}

}  // namespace fabro::http
