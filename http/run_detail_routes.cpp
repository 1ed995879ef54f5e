// What Fabro's clients read about one run besides its summary (issue 14):
// GET /api/v1/runs/{id}/checkpoint (RunCheckpoint or null),
// GET /api/v1/runs/{id}/settings (RunSettings) and
// GET /api/v1/runs/{id}/billing (RunBilling). Unknown runs are 404.
#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/engine/checkpoint.hpp"
#include "model/run_definition.hpp"
#include "model/run_json.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

void get_checkpoint(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& stored) {
        if (stored.empty()) return r.send_json(Code::Ok, "null");
        auto c = model::parse_checkpoint(stored);
        if (!c) return r.send_problem(c.error());
        r.send_json(Code::Ok, model::api_checkpoint_json(*c));
      },
      actors::checkpoint_atom::value, *id);
}

void get_settings(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& stored) {
        auto d = model::parse_run_definition(stored);
        if (!d) return r.send_problem(d.error());
        r.send_json(Code::Ok, model::api_settings_json(d->settings));
      },
      actors::definition_atom::value, *id);
}

void get_billing(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<model::run_record>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, model::run_record& run) { r.send_json(Code::Ok, model::billing_json(run)); },
      actors::get_atom::value, *id);
}

}  // namespace

std::vector<route> run_detail_routes() {
  return {
      {"GET", "/api/v1/runs/:id/checkpoint", get_checkpoint},
      {"GET", "/api/v1/runs/:id/settings", get_settings},
      {"GET", "/api/v1/runs/:id/billing", get_billing},
  };
}

}  // namespace fabro::http
