// Installs every route of http/route.hpp on a Pistache router, each behind
// the checks of guarded(): header and body limits, then authentication by
// the route's `access` (http/auth.hpp), then the handler. Handlers run
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
  api(caf::actor_system& sys, actors::orchestrator_actor orch, http_config cfg,
      actors::event_hub_actor hub);
  ~api();  // stop()s
  // Ends the actors the API spawned (the graph renderer); a render asked
  // for after this answers 503. Idempotent.
  void stop();
  api(const api&) = delete;
  api& operator=(const api&) = delete;
  void install(Pistache::Rest::Router& router);
  // Every (method, path) this server answers, in install order.
  static std::vector<route> routes();

 private:
  // Runs `h` so that an exception becomes a JSON 500 (never its text) and
  // every request gets exactly one reply with the standard headers. Before
  // `h`: 413 when the request line and headers exceed cfg.max_header_bytes
  // or the body cfg.max_body_bytes; then the caller is authenticated as
  // `access` demands (401/403 end the request) and recorded on the reply
  // (reply::login) for `h`.
  Pistache::Rest::Route::Handler guarded(route_handler h, route_access access);

  route_context ctx_;
  // Built from ctx_.cfg.auth; http_server::start has already checked that
  // it can be (authenticator::create). Unset only if that check was
  // skipped: then every guarded route answers 503 (fail closed).
  std::optional<authenticator> auth_ = make_authenticator(ctx_.cfg);
  static std::optional<authenticator> make_authenticator(const http_config& cfg);
};

}  // namespace fabro::http
