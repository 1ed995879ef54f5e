// Header-read and idle timeouts (issue 11, http/connection_sweeper.hpp):
// with the connection cap taken by clients that send nothing, or half a
// request, the server closes them and answers a new client; a connection
// in use is not closed, however long it lives.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

struct timeout_server {
  temp_dir dir;
  server_process server{dir.path + "/data", {"--config", write_config()}};
  uint16_t port() const { return server.port(); }
  std::string write_config() {
    std::string path = dir.path + "/timeouts.yaml";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("header_timeout_ms: 400\nidle_timeout_ms: 600\nmax_connections: 4\n", f);
    std::fclose(f);
    return path;
  }
};

// True once the server has closed `fd` (EOF or reset), within `limit`.
bool closed_within(int fd, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 50};
    if (::poll(&p, 1, 50) > 0) {
      char c[256];
      ssize_t n = ::recv(fd, c, sizeof c, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return true;
    }
  }
  return false;
}

// A connection the server counts: one /health answered 200 on it (an
// earlier client's slot may take a moment to be given back).
int accepted_connection(uint16_t port) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int fd = connect_loopback(port);
    if (fd < 0) continue;
    std::string req = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    char buf[512];
    pollfd p{fd, POLLIN, 0};
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()) &&
        ::poll(&p, 1, 2000) > 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 12 && std::string(buf, 12) == "HTTP/1.1 200") return fd;
    }
    ::close(fd);
    std::this_thread::sleep_for(50ms);
  }
  return -1;
}

struct fd_guard {
  int fd;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

TEST_CASE("idle connections and half-sent requests are closed, and the next client gets in",
          "[e2e][framing]") {
  timeout_server s;
  REQUIRE(s.server.started());
  // Take every slot: two say nothing more after one request, two then send
  // half a request head.
  std::vector<std::unique_ptr<fd_guard>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<fd_guard>(accepted_connection(s.port())));
    REQUIRE(held.back()->fd >= 0);
  }
  for (int i = 2; i < 4; ++i) {
    std::string half = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    ssize_t n = ::send(held[i]->fd, half.data(), half.size(), MSG_NOSIGNAL);
    REQUIRE(n == static_cast<ssize_t>(half.size()));
  }
  // While they are held, a fifth client is turned away.
  CHECK(http_request(s.port(), "GET", "/health").status == 503);
  for (auto& h : held) CHECK(closed_within(h->fd, 5s));
  CHECK(eventually([&] { return http_request(s.port(), "GET", "/health").status == 200; }, 5s));
}

TEST_CASE("a connection in use outlives the idle and header timeouts", "[e2e][framing]") {
  timeout_server s;
  REQUIRE(s.server.started());
  http_connection conn(s.port());
  REQUIRE(conn.connected());
  // Requests every 150 ms for twice the idle timeout: each resets it.
  auto until = std::chrono::steady_clock::now() + 1200ms;
  int answered = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto r = conn.send("GET", "/health");
    REQUIRE(r.status == 200);
    ++answered;
    std::this_thread::sleep_for(150ms);
  }
  CHECK(answered >= 5);
  // A request whose head comes in slow pieces, all within the header timeout.
  int fd = connect_loopback(s.port());
  REQUIRE(fd >= 0);
  fd_guard g(fd);
  for (std::string piece : {"GET /health HTTP/1.1\r\n", "Host: 127.0.0.1\r\n", "\r\n"}) {
    REQUIRE(::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(piece.size()));
    std::this_thread::sleep_for(100ms);
  }
  char buf[512];
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 2000) > 0);
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  REQUIRE(n > 12);
  CHECK(std::string(buf, 12) == "HTTP/1.1 200");
}
