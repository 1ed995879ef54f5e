// The framing gate (issue 11) over real sockets, with the segmentation that
// broke Pistache 0.0.5's parser: split chunk CRLFs, 1-byte writes,
// pipelined requests, bad Content-Length, huge headers, Expect:
// 100-continue, Connection: close. Throughout, /health from another client
// answers within 100 ms.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "model/json_check.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

struct raw_conn {
  int fd;
  explicit raw_conn(uint16_t port) : fd(connect_loopback(port)) { REQUIRE(fd >= 0); }
  ~raw_conn() { ::close(fd); }
  void write(const std::string& s) {
    REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
  }
  // Reads until `count` responses' status lines and their bodies are in,
  // the server closes, or `limit` passes; everything read.
  std::string read_for(std::chrono::milliseconds limit, size_t count = 1,
                       bool* closed = nullptr) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (complete(got) >= count && !closed) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  // Final responses (not 100 Continue) whose bodies are complete.
  static size_t complete(const std::string& text) {
    size_t n = 0, at = 0;
    while ((at = text.find("HTTP/1.", at)) != std::string::npos) {
      if (text.compare(at, 12, "HTTP/1.1 100") == 0) {
        at += 12;
        continue;
      }
      auto head_end = text.find("\r\n\r\n", at);
      if (head_end == std::string::npos) break;
      auto cl = text.find("Content-Length: ", at);
      size_t len = cl != std::string::npos && cl < head_end ? std::stoul(text.substr(cl + 16)) : 0;
      if (text.size() < head_end + 4 + len) break;
      ++n;
      at = head_end + 4 + len;
    }
    return n;
  }
};

std::vector<int> statuses(const std::string& text) {
  std::vector<int> out;
  for (size_t at = 0; (at = text.find("HTTP/1.", at)) != std::string::npos; at += 9)
    out.push_back(std::stoi(text.substr(at + 9, 3)));  // HTTP/1.1 or HTTP/1.0
  return out;
}

std::string head(const std::string& method, const std::string& path, const std::string& extra) {
  return method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + default_auth_header() + extra;
}

// /health from another connection still answers: no HTTP thread is stuck
// (one that spins stays stuck for good, so a generous bound tells them
// apart without timing the server on a loaded machine).
void health_is_prompt(uint16_t port) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = http_request(port, "GET", "/health");
  CHECK(r.status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace

TEST_CASE("chunked bodies whose chunk CRLF is split across reads are de-chunked and answered",
          "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  auto body = minimal_manifest();
  auto half = body.size() / 2;
  std::vector<std::unique_ptr<raw_conn>> conns;
  for (int i = 0; i < 2; ++i) {  // two at once: each took an HTTP thread before
    conns.push_back(std::make_unique<raw_conn>(s.port()));
    auto c1 = chunk(body.substr(0, half)), c2 = chunk(body.substr(half));
    conns.back()->write(head("POST", "/api/v1/runs",
                             "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n") +
                        c1.substr(0, c1.size() - 1));  // ... "\r"
  }
  std::this_thread::sleep_for(200ms);  // the segmentation itself: a later read
  health_is_prompt(s.port());
  for (auto& c : conns) c->write("\n" + chunk(body.substr(half)) + "0\r\n\r\n");
  for (auto& c : conns) {
    auto got = c->read_for(5s);
    CHECK(statuses(got) == std::vector<int>{201});
  }
  health_is_prompt(s.port());
}

TEST_CASE("a request written one byte at a time is answered", "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  auto body = minimal_manifest();
  auto text = head("POST", "/api/v1/runs", "Transfer-Encoding: chunked\r\n\r\n") +
              chunk(body.substr(0, 10)) + chunk(body.substr(10)) + "0\r\n\r\n";
  raw_conn c(s.port());
  for (char ch : text) c.write(std::string(1, ch));
  CHECK(statuses(c.read_for(5s)) == std::vector<int>{201});
}

TEST_CASE("pipelined requests are all answered, in order", "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  raw_conn c(s.port());
  std::string batch;
  std::vector<int> expected;
  for (int i = 0; i < 10; ++i) {
    bool missing = i % 3 == 1;
    batch += head("GET", missing ? "/api/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV" : "/health", "\r\n");
    expected.push_back(missing ? 404 : 200);
  }
  batch += head("POST", "/api/v1/runs", "Content-Length: " +
                                            std::to_string(minimal_manifest().size()) + "\r\n\r\n") +
           minimal_manifest();
  expected.push_back(201);
  c.write(batch);
  auto got = c.read_for(5s, expected.size());
  CHECK(statuses(got) == expected);
}

TEST_CASE("bad Content-Length headers answer 400 or 413 with a JSON body and no internals",
          "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  struct probe {
    std::string headers;
    int status;
  };
  for (const auto& p : {probe{"Content-Length: -1\r\n", 400},
                        probe{"Content-Length: 100000000000000000000\r\n", 400},
                        probe{"Content-Length: 5\r\nContent-Length: 7\r\n", 400},
                        probe{"Content-Length: 32212254720\r\n", 413},
                        probe{"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", 400}}) {
    INFO(p.headers);
    raw_conn c(s.port());
    c.write(head("POST", "/api/v1/runs", p.headers + "\r\n") + "{}");
    bool closed = false;
    auto got = c.read_for(3s, 1, &closed);
    CHECK(statuses(got) == std::vector<int>{p.status});
    auto body = got.substr(got.find("\r\n\r\n") + 4);
    CHECK(fabro::model::is_json_object(body));
    CHECK(body.find("stoull") == std::string::npos);
    CHECK(body.find("basic_string") == std::string::npos);
    CHECK(closed);
  }
  health_is_prompt(s.port());
}

TEST_CASE("a 4 MB header is refused as it arrives, without stalling anyone", "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  raw_conn c(s.port());
  auto t0 = std::chrono::steady_clock::now();
  std::string line = "GET /health HTTP/1.1\r\nX-Pad: ";
  c.write(line);
  std::string pad(64 << 10, 'x');
  // The server answers and closes once 16 KiB are exceeded; later writes may fail.
  for (int i = 0; i < 64; ++i)
    if (::send(c.fd, pad.data(), pad.size(), MSG_NOSIGNAL) < 0) break;
  auto got = c.read_for(3s);
  CHECK(statuses(got) == std::vector<int>{413});
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  health_is_prompt(s.port());
}

TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent", "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  auto body = minimal_manifest();
  raw_conn c(s.port());
  c.write(head("POST", "/api/v1/runs",
               "Expect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\n\r\n"));
  std::string interim;
  for (int i = 0; i < 50 && interim.find("\r\n\r\n") == std::string::npos; ++i) {
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    char buf[256];
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    interim.append(buf, static_cast<size_t>(n));
  }
  CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
  c.write(body);
  CHECK(statuses(c.read_for(5s)) == std::vector<int>{201});
}

TEST_CASE("Connection: close and HTTP/1.0 close the connection after the response, garbage "
          "gets 400, HTTP/0.9 and 2.0 request lines 505", "[e2e][framing]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  for (const std::string& request :
       {head("GET", "/health", "Connection: close\r\n\r\n"),
        std::string("GET /health HTTP/1.0\r\n\r\n")}) {
    raw_conn c(s.port());
    c.write(request);
    bool closed = false;
    auto got = c.read_for(3s, 1, &closed);
    CHECK(statuses(got) == std::vector<int>{200});
    CHECK(closed);
  }
  raw_conn g(s.port());
  g.write("\x16\x03\x01 this is not HTTP\r\n\r\n");
  bool closed = false;
  auto got = g.read_for(3s, 1, &closed);
  CHECK(statuses(got) == std::vector<int>{400});
  CHECK(closed);
  for (const std::string& request :
       {std::string("GET /health\r\n\r\n"), std::string("GET /health HTTP/2.0\r\n\r\n")}) {
    raw_conn v(s.port());
    v.write(request);
    bool ended = false;
    auto answer = v.read_for(3s, 1, &ended);
    CHECK(answer.rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0) == 0);
    CHECK(answer.find("is not supported: use HTTP/1.0 or HTTP/1.1.") != std::string::npos);
    CHECK(ended);
  }
  health_is_prompt(s.port());
}
