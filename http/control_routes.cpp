// Queue and control: POST /api/v1/runs/{id}/start, /cancel, /pause,
// /unpause and DELETE /api/v1/runs/{id}[?force=true] (reference §4.6,
// DESIGN §4). Every answer comes from the orchestrator; the handlers only
// read the request and pick the success status.
#include <simdjson.h>

#include "http/ask.hpp"
#include "http/query_params.hpp"
#include "http/route.hpp"
#include "model/run_json.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

model::problem bad_request(std::string detail) {
  return model::make_problem(model::errc::invalid_request, std::move(detail));
}

// The optional StartRunRequest {"resume": bool}: read only when the request
// has a Content-Type (as Fabro does); an empty body counts as absent.
model::result<bool> parse_resume(const Request& req) {
  if (!req.headers().has<Pistache::Http::Header::ContentType>()) return false;
  const auto& body = req.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return false;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj)) return bad_request("Body must be a JSON object.");
  simdjson::dom::element resume;
  if (obj["resume"].get(resume)) return false;  // absent: resume=false
  bool value = false;
  if (resume.is_null()) return false;
  if (resume.get(value)) return bad_request("Field \"resume\" must be a boolean.");
  return value;
}

void start_run(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto resume = parse_resume(req);
  if (!resume) return rep->send_problem(resume.error());
  ask<model::run_record>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, model::run_record& run) {
        r.send_json(Code::Ok, model::status_response_json(run));
      },
      actors::start_atom::value, *id, *resume);
}

// cancel, pause and unpause differ only in the action they deliver.
route_handler control(model::control_action action) {
  return [action](const route_context& ctx, const Request& req, reply_ptr rep) {
    auto id = path_run_id(req, *rep);
    if (!id) return;
    std::string login = rep->login();
    ask<model::run_record>(
        ctx.sys, ctx.orch, std::move(rep),
        [](reply& r, model::run_record& run) {
          r.send_json(Code::Ok, model::status_response_json(run));
        },
        actors::control_atom::value, action, *id, std::move(login));
  };
}

void delete_run(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  // `force` is accepted for older clients of ours; Fabro's DELETE ends an
  // active run first either way (`fabro rm -f` sends a plain DELETE).
  auto force = query_flag(req, "force");
  if (!force) return rep->send_problem(force.error());
  // 204 whether or not the id was known, as Fabro answers.
  ask<bool>(
      ctx.sys, ctx.orch, std::move(rep), [](reply& r, bool) { r.send_empty(Code::No_Content); },
      actors::delete_atom::value, *id, true);
}

}  // namespace

model::result<bool> query_flag(const Request& req, const std::string& name) {
  auto raw = query_value(req, name);
  if (!raw || *raw == "false" || *raw == "0") return false;
  if (*raw == "true" || *raw == "1" || raw->empty()) return true;
  return bad_request("Invalid " + name + ": expected true or false.");
}

std::vector<route> control_routes() {
  using model::control_action;
  return {
      {"POST", "/api/v1/runs/:id/start", start_run, route_access::subject},
      {"POST", "/api/v1/runs/:id/cancel", control(control_action::cancel), route_access::subject},
      {"POST", "/api/v1/runs/:id/pause", control(control_action::pause), route_access::subject},
      {"POST", "/api/v1/runs/:id/unpause", control(control_action::unpause),
       route_access::subject},
      {"DELETE", "/api/v1/runs/:id", delete_run},
  };
}

}  // namespace fabro::http
