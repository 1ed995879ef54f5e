// What a worker writes to a run (Fabro's "Run Internals"):
// POST /api/v1/runs/{id}/events (appendRunEvent: a RunEvent checked by
// model/appended_event.hpp, given the next seq, committed, then streamed
// to attach clients; answers {"seq": N}), POST /api/v1/runs/{id}/blobs
// (octet-stream bytes stored under their SHA-256, model/run_blobs.hpp;
// answers {"id": <sha256>} once durable) and GET …/blobs/{blobId}.
#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/appended_event.hpp"
#include "model/json_writer.hpp"
#include "model/run_artifacts.hpp"
#include "model/run_blobs.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

void append_event(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto event = model::parse_appended_event(req.body(), *id);
  if (!event) return rep->send_problem(event.error());
  ask<uint64_t>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, uint64_t& seq) {
        model::json_writer w;
        w.begin_object().field("seq", seq).end_object();
        r.send_json(Code::Ok, w.take());
      },
      actors::append_atom::value, *id, std::move(*event));
}

void write_blob(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  if (!octet_body(req, *rep, model::kMultipartBlob)) return;
  auto blob = model::blob_id(req.body());
  ask<bool>(
      ctx.sys, ctx.orch, std::move(rep),
      [blob](reply& r, bool) {
        model::json_writer w;
        w.begin_object().field("id", blob).end_object();
        r.send_json(Code::Ok, w.take());
      },
      actors::artifact_atom::value, *id, model::blob_artifact_name(blob), req.body());
}

void read_blob(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto blob = req.param(":blobId").as<std::string>();
  if (!model::is_blob_id(blob))
    return rep->send_problem(model::make_problem(model::errc::invalid_request, model::kBadBlobId));
  ask_or<std::string>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, std::string& bytes) { r.send_bytes(Code::Ok, bytes); },
      [](reply& r, model::problem& p) {
        if (p.code == model::errc::run_not_found && p.detail == model::kArtifactNotFound)
          p.detail = model::kBlobNotFound;
        r.send_problem(p);
      },
      actors::artifact_atom::value, *id, model::blob_artifact_name(blob));
}

}  // namespace

std::vector<route> worker_routes() {
  return {
      {"POST", "/api/v1/runs/:id/events", append_event},
      {"POST", "/api/v1/runs/:id/blobs", write_blob},
      {"GET", "/api/v1/runs/:id/blobs/:blobId", read_blob},
  };
}

}  // namespace fabro::http
