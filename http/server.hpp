// Public: http layer (installed for embedders under include/fabro/).
// The HTTP side of the server: a Pistache endpoint whose routes hand every
// request to the orchestrator (http/api.hpp) and never block.
//
// Lifecycle: start() binds and serves on its own threads; shutdown() stops
// accepting and joins them.
//
// Limits (http_config): a request whose line and headers exceed
// max_header_bytes, or whose body exceeds max_body_bytes, answers 413.
// Pistache 0.0.5 has a single buffer limit for headers and body together;
// it is set to max_header_bytes + 2 * max_body_bytes, so requests beyond
// it get Pistache's plain-text 413 and everything below gets our JSON one.
// Connections beyond max_connections (counted over all reactor threads)
// get a 503 and are closed at once; Pistache has no cap of its own, so the
// endpoint's handler counts them (server.cpp). Destroy the server only after the actor system
// has finished (replies may still be written from CAF threads until then).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/event_hub.hpp"
#include "actors/orchestrator.hpp"
#include "http/auth.hpp"
#include "model/result.hpp"

namespace Pistache::Http { class Endpoint; }
namespace Pistache::Rest { class Router; }

namespace fabro::http {

struct http_config {
  std::string host = "127.0.0.1";       // listen address (IPv4 or IPv6 literal)
  uint16_t port = 32276;                 // 0 = any free port
  int threads = 2;                       // Pistache reactor threads
  size_t max_body_bytes = 2u << 20;      // larger bodies answer 413
  size_t max_header_bytes = 16u << 10;   // larger request line + headers answer 413
  size_t max_connections = 1024;         // more open connections get 503; 0 = no cap
  // A request not complete this long after its first byte, or a connection
  // with nothing to do this long, is closed (http/connection_sweeper.hpp);
  // 0 = never.
  uint64_t header_timeout_ms = 60000;
  uint64_t idle_timeout_ms = 75000;
  auth_config auth;                      // who may call (http/auth.hpp)
  std::string version = "0.1.0";         // reported by GET /health
  std::string storage_dir;               // the data directory (GET /api/v1/system/info)
  std::string sandbox_provider = "local";  // where stages run (GET /api/v1/system/info)
  // The nodes sharing a PostgreSQL store, as JSON for GET /api/v1/system/info
  // ("cluster"); must not block. Empty function or "" = no such field.
  std::function<std::string()> cluster_view;
};

class api;

class http_server {
 public:
  // Binds and starts serving. Fails with errc::invalid_request when
  // cfg.auth is unusable (authenticator::create), and with
  // errc::unavailable naming the address when it cannot bind.
  static model::result<std::unique_ptr<http_server>> start(caf::actor_system& sys,
                                                           actors::orchestrator_actor orch,
                                                           actors::event_hub_actor hub,
                                                           const http_config& cfg);
  ~http_server();
  uint16_t port() const;  // the bound port (useful with port 0)
  // Stops accepting and ends the API's own actors (the graph renderer), so
  // that actor_system::await_all_actors_done can return. Idempotent.
  void shutdown();

 private:
  http_server() = default;
  std::unique_ptr<api> api_;
  std::shared_ptr<Pistache::Rest::Router> router_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  bool stopped_ = false;
};

}  // namespace fabro::http
