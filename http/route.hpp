// One route of the API: method, Pistache path pattern, and its handler.
// Each feature keeps its routes in its own http/<feature>_routes.cpp and
// lists them in a function declared here; api.cpp installs them all, so the
// table of everything served (api::routes) has one source.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <pistache/router.h>

#include "actors/event_hub.hpp"
#include "actors/graph_renderer.hpp"
#include "actors/orchestrator.hpp"
#include "http/reply.hpp"
#include "http/server.hpp"

namespace fabro::http {

// What handlers may use. Shared read-only by all HTTP threads.
struct route_context {
  caf::actor_system& sys;
  actors::orchestrator_actor orch;
  http_config cfg;
  actors::event_hub_actor hub;  // live event streams (SSE)
  // The orchestrator's journal: creates go straight to it (run_routes.cpp);
  // null when the orchestrator did not give it (creates then ask `orch`).
  actors::journal_actor journal;
  actors::graph_renderer_actor renderer;  // workflow graphs (SVG, PNG)
};

using route_handler =
    std::function<void(const route_context&, const Pistache::Rest::Request&, reply_ptr)>;

struct route {
  std::string method;  // "GET", "POST", "DELETE"
  std::string path;    // e.g. "/api/v1/runs/:id"
  route_handler handle;
  // Who may call it, checked by api::guarded before `handle` runs (table in
  // http/auth.hpp). The default suits reads. Mark `subject` every route
  // whose request is attributed to its caller — create, start, cancel,
  // pause, unpause, answering a question: those answer 401 (never 403) and
  // their handlers read the caller from reply::login(). `open` only for
  // routes that must work without credentials (/health, the OpenAPI
  // document). Every route must also be described in openapi/openapi.json
  // (tests/http/openapi_test.cpp checks both ways).
  route_access access = route_access::service;
};

// Route lists, one per feature file.
std::vector<route> run_routes();     // http/run_routes.cpp: create, list, get, events
std::vector<route> system_routes();  // http/system_routes.cpp: health, system info, disk usage
std::vector<route> workflow_routes();  // http/workflow_routes.cpp: validate, preflight
std::vector<route> question_routes();  // http/question_routes.cpp: answer a human gate
std::vector<route> attach_routes();    // http/attach_routes.cpp: SSE event streams
// http/graph_routes.cpp: workflow graphs as SVG or PNG
std::vector<route> graph_routes();
// http/run_detail_routes.cpp: a run's checkpoint, settings, billing, artifacts
std::vector<route> run_detail_routes();
// http/stage_routes.cpp: a run's stages, their turns, sandbox access
std::vector<route> stage_routes();
// http/worker_routes.cpp: what a worker writes (events, blobs)
std::vector<route> worker_routes();
// http/control_routes.cpp: start, cancel, pause, unpause, delete
std::vector<route> control_routes();

// Query flag `name`: absent, "false" or "0" → false; "true", "1" or a bare
// `?name` → true. Anything else fails with errc::invalid_request.
model::result<bool> query_flag(const Pistache::Rest::Request& req, const std::string& name);

// If the path id is a ULID, its canonical form; otherwise sends
// 400 "Invalid run ID." on `rep` and returns nullopt.
std::optional<std::string> path_run_id(const Pistache::Rest::Request& req, reply& rep);

// Whether the request's body is plain bytes; for a multipart/form-data
// body (Fabro's batch upload, not served) sends 400 `multipart_text` on
// `rep` and returns false.
bool octet_body(const Pistache::Rest::Request& req, reply& rep, const char* multipart_text);

}  // namespace fabro::http
