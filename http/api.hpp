// The routes of our API and their handlers. Each handler validates what it
// can on the HTTP thread (CPU only), hands the rest to the orchestrator with
// ask(), and returns; the answer is written from a CAF thread.
//
// routes() is the table of every (method, path) served, so tests and the
// OpenAPI check can walk it.
#pragma once

#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <pistache/router.h>

#include "actors/orchestrator.hpp"
#include "http/reply.hpp"
#include "http/server.hpp"

namespace fabro::http {

struct route_info {
  const char* method;  // "GET", "POST", ...
  const char* path;    // Pistache pattern, e.g. "/api/v1/runs/:id"
};

class api {
 public:
  api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg);
  void install(Pistache::Rest::Router& router);
  static const std::vector<route_info>& routes();

 private:
  using handler = void (api::*)(const Pistache::Rest::Request&, reply_ptr);
  // Wraps a handler so an exception becomes a JSON 500 and every request
  // gets a reply with the standard headers.
  Pistache::Rest::Route::Handler guarded(handler h);

  void health(const Pistache::Rest::Request& req, reply_ptr rep);
  void create_run(const Pistache::Rest::Request& req, reply_ptr rep);
  void list_runs(const Pistache::Rest::Request& req, reply_ptr rep);
  void get_run(const Pistache::Rest::Request& req, reply_ptr rep);
  void list_events(const Pistache::Rest::Request& req, reply_ptr rep);
  void not_found(const Pistache::Rest::Request& req, reply_ptr rep);

  caf::actor_system& sys_;
  actors::orchestrator_actor orch_;
  http_config cfg_;
};

}  // namespace fabro::http
