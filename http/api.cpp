#include "http/api.hpp"

#include "actors/run_submission.hpp"
#include "http/ask.hpp"
#include "http/query_params.hpp"
#include "model/json_writer.hpp"
#include "model/run_json.hpp"
#include "model/ulid.hpp"

namespace fabro::http {

using Pistache::Http::Code;
using Pistache::Rest::Request;
namespace Routes = Pistache::Rest::Routes;

namespace {

// A path id as a canonical ULID, or a 400 "Invalid run ID." sent on `rep`.
std::optional<std::string> path_run_id(const Request& req, reply& rep) {
  auto id = model::parse_ulid(req.param(":id").as<std::string>());
  if (!id) {
    rep.send_problem(model::make_problem(model::errc::invalid_run_id, "Invalid run ID."));
    return std::nullopt;
  }
  return *id;
}

}  // namespace

api::api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg)
    : sys_(sys), orch_(std::move(orch)), cfg_(std::move(cfg)) {}

const std::vector<route_info>& api::routes() {
  static const std::vector<route_info> table = {
      {"GET", "/health"},
      {"POST", "/api/v1/runs"},
      {"GET", "/api/v1/runs"},
      {"GET", "/api/v1/runs/:id"},
      {"GET", "/api/v1/runs/:id/events"},
  };
  return table;
}

Pistache::Rest::Route::Handler api::guarded(handler h) {
  return [this, h](const Request& req, Pistache::Http::ResponseWriter writer) {
    auto rep = make_reply(req, std::move(writer));
    try {
      (this->*h)(req, rep);
    } catch (const std::exception&) {
      // Never leak exception text to clients (toolchain notes, gotcha 14).
      rep->send_error(Code::Internal_Server_Error, "Internal server error.");
    }
    return Pistache::Rest::Route::Result::Ok;
  };
}

void api::install(Pistache::Rest::Router& router) {
  Routes::Get(router, "/health", guarded(&api::health));
  Routes::Post(router, "/api/v1/runs", guarded(&api::create_run));
  Routes::Get(router, "/api/v1/runs", guarded(&api::list_runs));
  Routes::Get(router, "/api/v1/runs/:id", guarded(&api::get_run));
  Routes::Get(router, "/api/v1/runs/:id/events", guarded(&api::list_events));
  router.addNotFoundHandler(guarded(&api::not_found));
}

void api::health(const Request&, reply_ptr rep) {
  model::json_writer w;
  w.begin_object().field("status", "ok").field("version", cfg_.version).end_object();
  rep->send_json(Code::Ok, w.str());
}

void api::create_run(const Request& req, reply_ptr rep) {
  if (req.body().size() > cfg_.max_body_bytes) {
    rep->send_problem(model::make_problem(
        model::errc::payload_too_large,
        "Request body exceeds the limit of " + std::to_string(cfg_.max_body_bytes) + " bytes."));
    return;
  }
  auto run = actors::prepare_run(req.body());
  if (!run) {
    rep->send_problem(run.error());
    return;
  }
  ask<actors::create_result>(
      sys_, orch_, std::move(rep),
      [](reply& r, actors::create_result& res) {
        r.send_json(res.created ? Code::Created : Code::Ok,
                    model::status_response_json(res.record));
      },
      actors::create_atom::value, std::move(*run));
}

void api::list_runs(const Request& req, reply_ptr rep) {
  auto limit = query_uint(req, "page[limit]", 20, 1, 100);
  if (!limit) return rep->send_problem(limit.error());
  auto offset = query_uint(req, "page[offset]", 0, 0, UINT64_MAX);
  if (!offset) return rep->send_problem(offset.error());
  ask<actors::run_page>(
      sys_, orch_, std::move(rep),
      [](reply& r, actors::run_page& page) {
        std::vector<std::string> items;
        items.reserve(page.runs.size());
        for (const auto& run : page.runs) items.push_back(model::summary_json(run));
        r.send_json(Code::Ok, model::page_json(items, page.has_more));
      },
      actors::list_atom::value, *offset, *limit);
}

void api::get_run(const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<model::run_record>(
      sys_, orch_, std::move(rep),
      [](reply& r, model::run_record& run) { r.send_json(Code::Ok, model::summary_json(run)); },
      actors::get_atom::value, *id);
}

void api::list_events(const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto since = query_uint(req, "since_seq", 1, 1, UINT64_MAX);
  if (!since) return rep->send_problem(since.error());
  auto limit = query_uint(req, "limit", 100, 1, 1000);
  if (!limit) return rep->send_problem(limit.error());
  ask<actors::event_page>(
      sys_, orch_, std::move(rep),
      [](reply& r, actors::event_page& page) {
        r.send_json(Code::Ok, model::page_json(page.events, page.has_more));
      },
      actors::events_atom::value, *id, *since, *limit);
}

void api::not_found(const Request&, reply_ptr rep) {
  rep->send_error(Code::Not_Found, "Not found.");
}

}  // namespace fabro::http
