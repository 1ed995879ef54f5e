// The route table behind api::guarded, over loopback against an in-process
// server (memory store): authentication of every route, request limits and
// the connection cap.
#include "http/api.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/orchestrator.hpp"
#include "http/openapi.hpp"
#include "http/server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"

using namespace fabro;
using namespace fabro::testing;

namespace {

// An actor system, an orchestrator over a memory store, and the HTTP server
// in dev-token mode with kTestDevToken.
struct in_process_server {
  caf::actor_system_config caf_cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::orchestrator_actor orch;
  actors::event_hub_actor hub;
  std::unique_ptr<http::http_server> server;

  explicit in_process_server(http::http_config cfg = {}) {
    caf_cfg.set("scheduler.max-threads", 2);
    caf_cfg.set("logger.console", caf::atom("none"));
    sys = std::make_unique<caf::actor_system>(caf_cfg);
    hub = actors::spawn_event_hub(*sys, {}, {});
    actors::orchestrator_config oc{actors::memory_store_factory()};
    oc.event_listener = hub;
    auto o = actors::spawn_orchestrator(*sys, oc);
    REQUIRE(o);
    orch = *o;
    caf::anon_send(hub, orch);
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = 1;
    cfg.auth.dev_token = kTestDevToken;
    auto s = http::http_server::start(*sys, orch, hub, cfg);
    REQUIRE(s);
    server = std::move(*s);
  }
  ~in_process_server() {
    server->shutdown();
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
    server.reset();
  }
  uint16_t port() const { return server->port(); }
};

// The route's path with a valid ULID for every parameter.
std::string concrete(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size();) {
    if (path[i] == ':') {
      out += "01JRZ3NDEKTSV4RRFFQ69G5FAV";
      i = path.find('/', i);
      if (i == std::string::npos) break;
    } else {
      out += path[i++];
    }
  }
  return out;
}

bool is_401(const http_response& r) {
  return r.status == 401 && json_string_field(r.body, "detail") == "Authentication required." &&
         json_string_field(r.body, "title") == "Unauthorized" &&
         json_string_field(r.body, "request_id") == r.header("x-request-id") &&
         r.header("www-authenticate").empty();
}

}  // namespace

TEST_CASE("every route but the open ones answers 401 without a valid token", "[http][auth]") {
  in_process_server s;
  const std::string wrong = "Authorization: Bearer fabro_dev_" + std::string(64, '0') + "\r\n";
  for (const auto& r : http::api::routes()) {
    auto path = concrete(r.path);
    INFO(r.method << " " << path);
    std::string body = r.method == "POST" ? minimal_manifest() : "";
    if (r.access == http::route_access::open) {
      CHECK(http_request_auth(s.port(), "", r.method, path).status == 200);
      continue;
    }
    CHECK(is_401(http_request_auth(s.port(), "", r.method, path, body)));
    CHECK(is_401(http_request_auth(s.port(), wrong, r.method, path, body)));
    CHECK(is_401(http_request_auth(s.port(), "Authorization: Basic dXNlcjpwYXNz\r\n", r.method,
                                   path, body)));
  }
  // Nothing was created on the way.
  auto list = http_request(s.port(), "GET", "/api/v1/runs");
  CHECK(list.status == 200);
  CHECK(list.body == "[]");
}

TEST_CASE("the OpenAPI document is served to anyone, verbatim", "[http][openapi]") {
  in_process_server s;
  auto r = http_request_auth(s.port(), "", "GET", "/api/v1/openapi.json");
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.body == http::openapi_document());
}

TEST_CASE("with the token, requests reach their handlers", "[http][auth]") {
  in_process_server s;
  auto created = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest());
  CHECK(created.status == 201);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/01JRZ3NDEKTSV4RRFFQ69G5FAV").status == 404);
  CHECK(http_request(s.port(), "GET", "/api/v1/nothing").status == 404);
}

TEST_CASE("request headers above max_header_bytes answer 413", "[http][limits]") {
  http::http_config cfg;
  cfg.max_header_bytes = 4096;
  cfg.max_body_bytes = 4096;  // Pistache's own limit: 4096 + 2 * 4096
  in_process_server s(cfg);
  auto big = http_request(s.port(), "GET", "/health", "",
                          "X-Padding: " + std::string(5000, 'x') + "\r\n");
  CHECK(big.status == 413);
  CHECK(json_string_field(big.body, "title") == "Payload Too Large");
  CHECK(http_request(s.port(), "GET", "/health", "",
                     "X-Padding: " + std::string(3000, 'x') + "\r\n").status == 200);
  // Far beyond every limit, Pistache itself refuses the request.
  auto huge = http_request(s.port(), "GET", "/health", "",
                           "X-Padding: " + std::string(64u << 10, 'x') + "\r\n");
  CHECK((huge.status == 413 || huge.status == 0));
}

TEST_CASE("request bodies above max_body_bytes answer 413 on every route", "[http][limits]") {
  http::http_config cfg;
  cfg.max_body_bytes = 2048;
  in_process_server s(cfg);
  auto r = http_request(s.port(), "GET", "/api/v1/runs", std::string(3000, 'x'));
  CHECK(r.status == 413);
  CHECK(json_string_field(r.body, "title") == "Payload Too Large");
}

TEST_CASE("connections beyond max_connections get 503 until one closes", "[http][limits]") {
  http::http_config cfg;
  cfg.max_connections = 2;
  in_process_server s(cfg);
  auto a = std::make_unique<http_connection>(s.port());
  http_connection b(s.port());
  REQUIRE(a->send("GET", "/health").status == 200);
  REQUIRE(b.send("GET", "/health").status == 200);

  http_connection c(s.port());
  auto refused = c.send("GET", "/health");
  CHECK((refused.status == 503 || refused.status == 0));
  if (refused.status == 503) CHECK(json_string_field(refused.body, "title") == "Service Unavailable");
  CHECK(c.closed_by_peer());

  // The kept connections still work, and a closed one frees its slot.
  CHECK(b.send("GET", "/health").status == 200);
  a.reset();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    status = http_request(s.port(), "GET", "/health").status;
  }
  CHECK(status == 200);
}
