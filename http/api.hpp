// Installs every route of http/route.hpp on a Pistache router. Handlers run
// on HTTP threads, validate what they can (CPU only), hand the rest to the
// orchestrator with ask(), and return; answers are written from CAF threads.
#pragma once

#include <vector>

#include <caf/fwd.hpp>
#include <pistache/router.h>

#include "http/route.hpp"

namespace fabro::http {

class api {
 public:
  api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg);
  void install(Pistache::Rest::Router& router);
  // Every (method, path) this server answers, in install order.
  static std::vector<route> routes();

 private:
  // Runs `h` so that an exception becomes a JSON 500 (never its text) and
  // every request gets exactly one reply with the standard headers.
  Pistache::Rest::Route::Handler guarded(route_handler h);

  route_context ctx_;
};

}  // namespace fabro::http
