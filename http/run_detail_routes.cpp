// What Fabro's clients read about one run besides its summary (issue 14):
// GET /api/v1/runs/{id}/checkpoint (RunCheckpoint or null),
// GET /api/v1/runs/{id}/state (RunProjection, model/run_projection.hpp),
// GET /api/v1/runs/{id}/settings (RunSettings) and
// GET /api/v1/runs/{id}/billing (RunBilling), and its artifacts:
// GET /api/v1/runs/{id}/artifacts, GET|POST /runs/{id}/stages/{stageId}/
// artifacts and GET …/artifacts/download?filename= (model/run_artifacts).
// Unknown runs are 404.
#include "http/ask.hpp"
#include "http/query_params.hpp"
#include "http/route.hpp"
#include "model/engine/checkpoint.hpp"
#include "model/run_artifacts.hpp"
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

void get_state(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& projection) { r.send_json(Code::Ok, projection); },
      actors::state_atom::value, *id);
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
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& body) { r.send_json(Code::Ok, body); },
      actors::billing_atom::value, *id);
}

void list_run_artifacts(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<std::vector<model::stored_artifact>>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::vector<model::stored_artifact>& list) {
        r.send_json(Code::Ok, model::run_artifacts_json(list));
      },
      actors::artifacts_atom::value, *id);
}

// The stage id of the path, checked; nullopt after answering 400.
std::optional<std::string> path_stage_id(const Request& req, reply& rep) {
  auto stage = req.param(":stageId").as<std::string>();
  if (auto ok = model::check_stage_id(stage); !ok) {
    rep.send_problem(ok.error());
    return std::nullopt;
  }
  return stage;
}

// The `filename` query parameter, checked; nullopt after answering 400.
std::optional<std::string> query_filename(const Request& req, reply& rep) {
  auto name = query_value(req, "filename");
  if (!name || name->empty()) {
    rep.send_problem(model::make_problem(model::errc::invalid_request, model::kMissingFilename));
    return std::nullopt;
  }
  if (auto ok = model::check_artifact_path(*name); !ok) {
    rep.send_problem(ok.error());
    return std::nullopt;
  }
  return name;
}

void list_stage_artifacts(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto stage = path_stage_id(req, *rep);
  if (!stage) return;
  ask<std::vector<model::stored_artifact>>(
      ctx.sys, ctx.orch, std::move(rep),
      [stage = *stage](reply& r, std::vector<model::stored_artifact>& list) {
        r.send_json(Code::Ok, model::stage_artifacts_json(list, stage));
      },
      actors::artifacts_atom::value, *id);
}

void download_artifact(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto stage = path_stage_id(req, *rep);
  if (!stage) return;
  auto file = query_filename(req, *rep);
  if (!file) return;
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& bytes) { r.send_bytes(Code::Ok, bytes); },
      actors::artifact_atom::value, *id, model::artifact_name(*stage, *file));
}

// putStageArtifact, application/octet-stream: the body is the file.
void upload_artifact(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto stage = path_stage_id(req, *rep);
  if (!stage) return;
  auto file = query_filename(req, *rep);
  if (!file) return;
  if (!octet_body(req, *rep, model::kMultipartArtifact)) return;
  ask<bool>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, bool) { r.send_empty(Code::No_Content); },
      actors::artifact_atom::value, *id, model::artifact_name(*stage, *file), req.body());
}

}  // namespace

std::vector<route> run_detail_routes() {
  return {
      {"GET", "/api/v1/runs/:id/checkpoint", get_checkpoint},
      {"GET", "/api/v1/runs/:id/state", get_state},
      {"GET", "/api/v1/runs/:id/settings", get_settings},
      {"GET", "/api/v1/runs/:id/billing", get_billing},
      {"GET", "/api/v1/runs/:id/artifacts", list_run_artifacts},
      {"GET", "/api/v1/runs/:id/stages/:stageId/artifacts", list_stage_artifacts},
      {"POST", "/api/v1/runs/:id/stages/:stageId/artifacts", upload_artifact},
      {"GET", "/api/v1/runs/:id/stages/:stageId/artifacts/download", download_artifact},
  };
}

}  // namespace fabro::http
