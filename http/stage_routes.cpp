// A run's stages and its sandbox (issue 14):
// GET /api/v1/runs/{id}/stages (Fabro's PaginatedRunStageList, folded from
// the log by model/run_stages; page[limit], page[offset]),
// GET /api/v1/runs/{id}/stages/{stageId}/turns (an empty
// PaginatedStageTurnList: no stage records LLM turns yet; 404 for a stage
// that never started), and the sandbox-access routes, which answer 409 for
// this server's local sandboxes as Fabro does (model/sandbox_access.hpp).
#include "http/ask.hpp"
#include "http/query_params.hpp"
#include "http/route.hpp"
#include "model/run_artifacts.hpp"
#include "model/run_stages.hpp"
#include "model/sandbox_access.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

void list_stages(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto page = query_page(req);
  if (!page) return rep->send_problem(page.error());
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& body) { r.send_json(Code::Ok, body); },
      actors::stages_atom::value, *id, page->offset, page->limit);
}

void list_turns(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto stage = req.param(":stageId").as<std::string>();
  if (auto ok = model::check_stage_id(stage); !ok) return rep->send_problem(ok.error());
  auto page = query_page(req);
  if (!page) return rep->send_problem(page.error());
  ask<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& body) { r.send_json(Code::Ok, body); },
      actors::turns_atom::value, *id, stage);
}

// 404 for an unknown run, else 409 `refusal`.
route_handler refuse_local(const char* refusal) {
  return [refusal](const route_context& ctx, const Request& req, reply_ptr rep) {
    auto id = path_run_id(req, *rep);
    if (!id) return;
    ask<model::run_record>(
        ctx.sys, ctx.orch, std::move(rep),
        [refusal](reply& r, model::run_record&) {
          r.send_problem(model::make_problem(model::errc::conflict, refusal));
        },
        actors::get_atom::value, *id);
  };
}

}  // namespace

std::vector<route> stage_routes() {
  return {
      {"GET", "/api/v1/runs/:id/stages", list_stages},
      {"GET", "/api/v1/runs/:id/stages/:stageId/turns", list_turns},
      {"POST", "/api/v1/runs/:id/preview", refuse_local(model::kNoPreview)},
      {"POST", "/api/v1/runs/:id/ssh", refuse_local(model::kNoSsh)},
      {"GET", "/api/v1/runs/:id/sandbox/files", refuse_local(model::kNoSandboxFiles)},
      {"GET", "/api/v1/runs/:id/sandbox/file", refuse_local(model::kNoSandboxFiles)},
      {"PUT", "/api/v1/runs/:id/sandbox/file", refuse_local(model::kNoSandboxFiles)},
  };
}

}  // namespace fabro::http
