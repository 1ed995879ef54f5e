// The HTTP side of the server: a Pistache endpoint whose routes hand every
// request to the orchestrator (http/api.hpp) and never block.
//
// Lifecycle: start() binds and serves on its own threads; shutdown() stops
// accepting and joins them. Destroy the server only after the actor system
// has finished (replies may still be written from CAF threads until then).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/orchestrator.hpp"
#include "model/result.hpp"

namespace Pistache::Http { class Endpoint; }
namespace Pistache::Rest { class Router; }

namespace fabro::http {

struct http_config {
  std::string host = "127.0.0.1";       // listen address (IPv4 or IPv6 literal)
  uint16_t port = 32276;                 // 0 = any free port
  int threads = 2;                       // Pistache reactor threads
  size_t max_body_bytes = 2u << 20;      // larger bodies answer 413
  std::string version = "0.1.0";         // reported by GET /health
};

class api;

class http_server {
 public:
  // Binds and starts serving. Fails with errc::unavailable naming the
  // address when it cannot bind.
  static model::result<std::unique_ptr<http_server>> start(caf::actor_system& sys,
                                                           actors::orchestrator_actor orch,
                                                           const http_config& cfg);
  ~http_server();
  uint16_t port() const;  // the bound port (useful with port 0)
  void shutdown();         // stop accepting; idempotent

 private:
  http_server() = default;
  std::unique_ptr<api> api_;
  std::unique_ptr<Pistache::Rest::Router> router_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  bool stopped_ = false;
};

}  // namespace fabro::http
