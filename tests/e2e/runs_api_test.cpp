// POST/GET /api/v1/runs over loopback HTTP against the real binary.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <regex>
#include <thread>
#include <vector>

#include "model/ulid.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;

namespace {

struct running_server {
  temp_dir dir;
  server_process server{dir.path + "/data"};
  uint16_t port() const { return server.port(); }
};

bool is_error_body(const http_response& r, int status, const std::string& detail) {
  return r.status == status &&
         r.body.find("\"errors\":[{\"status\":\"" + std::to_string(status) + "\"") == 0 + 1 &&
         json_string_field(r.body, "detail") == detail &&
         json_string_field(r.body, "request_id") == r.header("x-request-id");
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("creating a run answers 201 submitted with a ULID id and its created_at", "[e2e]") {
  running_server s;
  REQUIRE(s.server.started());
  auto r = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest());
  REQUIRE(r.status == 201);
  CHECK(r.header("content-type") == "application/json");
  auto id = json_string_field(r.body, "id");
  REQUIRE(fabro::model::parse_ulid(id));
  CHECK(json_string_field(r.body, "status") == "submitted");
  CHECK(std::regex_match(json_string_field(r.body, "created_at"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z)")));
  for (auto absent : {"queue_position", "error", "pending_control", "status_reason"})
    CHECK(r.body.find(absent) == std::string::npos);
  CHECK_FALSE(r.header("x-request-id").empty());
}

TEST_CASE("a created run reads back as a summary with every key, and is listed", "[e2e]") {
  running_server s;
  auto id = json_string_field(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  auto r = http_request(s.port(), "GET", "/api/v1/runs/" + id);
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "run_id") == id);
  CHECK(json_string_field(r.body, "status") == "submitted");
  CHECK(json_string_field(r.body, "workflow_name") == "T");
  CHECK(r.body.find("\"labels\":{\"team\":\"infra\"}") != std::string::npos);
  for (auto key : {"start_time", "duration_ms", "status_reason", "pending_control", "goal",
                   "host_repo_path"})
    CHECK(r.body.find(std::string("\"") + key + "\":") != std::string::npos);

  // A lower-case id names the same run.
  std::string lower = id;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/" + lower).status == 200);

  auto list = http_request(s.port(), "GET", "/api/v1/runs");
  REQUIRE(list.status == 200);
  CHECK(list.body.rfind("[{\"", 0) == 0);  // a plain array of summaries
  CHECK(list.body.back() == ']');
  REQUIRE(data_items(list.body).size() == 1);
  CHECK(json_string_field(data_items(list.body)[0], "run_id") == id);
}

TEST_CASE("runs are listed newest first in pages", "[e2e]") {
  running_server s;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    // Client-chosen ids with increasing timestamps fix the order.
    std::string id = "01JRZ3NDE" + std::to_string(i) + "TSV4RRFFQ69G5FAV";
    REQUIRE(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest(id)).status == 201);
    ids.push_back(id);
  }
  auto first = http_request(s.port(), "GET", "/api/v1/runs?page[limit]=2");
  REQUIRE(first.status == 200);
  CHECK(first.body.find(ids[2]) < first.body.find(ids[1]));
  CHECK(first.body.find(ids[0]) == std::string::npos);
  CHECK(first.header("link") == "</api/v1/runs?page%5Blimit%5D=2&page%5Boffset%5D=2>; rel=\"next\"");
  auto second = http_request(s.port(), "GET", "/api/v1/runs?page%5Blimit%5D=2&page%5Boffset%5D=2");
  REQUIRE(data_items(second.body).size() == 1);
  CHECK(second.body.find(ids[0]) != std::string::npos);
  CHECK(second.header("link").empty());  // the last page
  CHECK(http_request(s.port(), "GET", "/api/v1/runs?page[offset]=5").body == "[]");
  CHECK(http_request(s.port(), "GET", "/api/v1/runs?page[limit]=abc").status == 400);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs?page[offset]=-1").status == 400);
}

// Follows each Link rel="next" from `path`; the items of every page, in order.
std::vector<std::string> follow_links(uint16_t port, std::string path, int& pages) {
  std::vector<std::string> out;
  pages = 0;
  while (!path.empty() && pages < 1000) {
    auto r = http_request(port, "GET", path);
    REQUIRE(r.status == 200);
    ++pages;
    for (auto& item : data_items(r.body)) out.push_back(json_string_field(item, "run_id"));
    auto link = r.header("link");
    path.clear();
    if (!link.empty()) {
      REQUIRE(link.front() == '<');
      REQUIRE(link.find(">; rel=\"next\"") != std::string::npos);
      path = link.substr(1, link.find('>') - 1);
    }
  }
  return out;
}

TEST_CASE("1,000 runs page through Link headers and stream whole, the same newest first",
          "[e2e]") {
  running_server s;
  std::vector<std::string> ids;
  {
    http_connection c(s.port());
    for (int i = 0; i < 1000; ++i) {
      auto r = c.send("POST", "/api/v1/runs", minimal_manifest());
      REQUIRE(r.status == 201);
      ids.push_back(json_string_field(r.body, "id"));
    }
  }
  // Newest first is (created_at, id) descending: a ULID's order.
  std::vector<std::string> newest_first = ids;
  std::sort(newest_first.begin(), newest_first.end(), std::greater<>());
  int pages = 0;
  CHECK(follow_links(s.port(), "/api/v1/runs?page[limit]=100", pages) == newest_first);
  CHECK(pages == 10);
  CHECK(follow_links(s.port(), "/api/v1/runs?page[limit]=30", pages) == newest_first);
  CHECK(pages == 34);
  // Without parameters: one chunked array of all of them (the stream
  // writes 256 runs per chunk, so this spans several).
  auto all = http_request(s.port(), "GET", "/api/v1/runs");
  REQUIRE(all.status == 200);
  CHECK(all.header("transfer-encoding") == "chunked");
  CHECK(all.header("content-type") == "application/json");
  auto items = data_items(all.body);
  std::vector<std::string> streamed;
  for (auto& item : items) streamed.push_back(json_string_field(item, "run_id"));
  CHECK(streamed == newest_first);
}

TEST_CASE("a streamed list reaches a client that reads slowly, whole", "[e2e]") {
  running_server s;
  // Runs with 60 KB goals: ~6 MB of list, more than the socket buffers and
  // the stream's high-water mark, so the stream must wait for the reader.
  std::string goal(60000, 'g');
  {
    http_connection c(s.port());
    for (int i = 0; i < 100; ++i) {
      auto m = minimal_manifest();
      m.insert(m.size() - 1, ",\"goal\":{\"type\":\"value\",\"text\":\"" + goal + "\"}");
      REQUIRE(c.send("POST", "/api/v1/runs", m).status == 201);
    }
  }
  int fd = connect_loopback(s.port());
  REQUIRE(fd >= 0);
  std::string req = "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n" + default_auth_header() + "\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  for (;;) {  // 4 KB at a time with a pause: far slower than the server writes
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
    if (got.size() % (256u << 10) < 4096) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::close(fd);
  CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  REQUIRE(got.size() >= 5);
  CHECK(got.substr(got.size() - 5) == "0\r\n\r\n");  // the last chunk: nothing was cut
  CHECK(count_occurrences(got, "\"run_id\":") == 100);
}

TEST_CASE("a new run's log holds run.created then run.submitted, paged", "[e2e]") {
  running_server s;
  auto id = json_string_field(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  auto all = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events");
  REQUIRE(all.status == 200);
  CHECK(all.body.find("\"seq\":1,") < all.body.find("\"seq\":2,"));
  CHECK(all.body.find("\"event\":\"run.created\"") < all.body.find("\"event\":\"run.submitted\""));
  auto one = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events?limit=1");
  CHECK(one.body.find("\"seq\":2") == std::string::npos);
  CHECK(one.body.find("\"has_more\":true") != std::string::npos);
  auto since = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events?since_seq=2&limit=5000");
  CHECK(since.body.find("\"seq\":1,") == std::string::npos);
  CHECK(since.body.find("\"seq\":2,") != std::string::npos);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/01JRZ3NDEKTSV4RRFFQ69G5FAV/events").status == 404);
}

TEST_CASE("bad manifests answer 400 with Fabro's error body and create nothing", "[e2e]") {
  running_server s;
  auto post = [&](const std::string& body) {
    return http_request(s.port(), "POST", "/api/v1/runs", body);
  };
  CHECK(is_error_body(post("{\"version\":2,\"cwd\":\"/\",\"target\":{\"identifier\":\"a\",\"path\":\"a\"},"
                           "\"workflows\":{\"a\":{\"source\":\"digraph A {}\"}}}"),
                      400, "unsupported manifest version 2"));
  CHECK(is_error_body(post("{\"version\":1,\"cwd\":\"/\",\"target\":{\"identifier\":\"a\",\"path\":\"b\"},"
                           "\"workflows\":{\"a\":{\"source\":\"digraph A {}\"}}}"),
                      400, "manifest target path is missing from workflows map"));
  CHECK(is_error_body(post(minimal_manifest("abc")), 400, "invalid run ID: invalid length"));
  CHECK(is_error_body(post(minimal_manifest("01JRZ3NDEKTSV4RRFFQ69G5FAU")), 400,
                      "invalid run ID: invalid character"));
  CHECK(post("{not json").status == 400);
  CHECK(post("").status == 400);
  CHECK(is_error_body(post("{\"version\":1}"), 400, "missing field `cwd`"));
  CHECK(http_request(s.port(), "GET", "/api/v1/runs").body == "[]");
}

TEST_CASE("a body over the 2 MiB limit answers 413 with the JSON error body", "[e2e]") {
  running_server s;
  std::string big = minimal_manifest();
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(2u << 20, 'x') + "\"");
  auto r = http_request(s.port(), "POST", "/api/v1/runs", big);
  CHECK(r.status == 413);
  CHECK(json_string_field(r.body, "title") == "Payload Too Large");
  // Just under the limit is fine.
  std::string ok = minimal_manifest();
  ok.insert(ok.size() - 1, ",\"padding\":\"" + std::string((2u << 20) - ok.size() - 20, 'x') + "\"");
  CHECK(http_request(s.port(), "POST", "/api/v1/runs", ok).status == 201);
}

TEST_CASE("a repeated run_id returns the existing run, a different manifest conflicts", "[e2e]") {
  running_server s;
  const std::string id = "01JRZ3NDEKTSV4RRFFQ69G5FAV";
  auto first = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest(id));
  REQUIRE(first.status == 201);
  CHECK(json_string_field(first.body, "id") == id);
  CHECK(json_string_field(first.body, "created_at") == "2025-04-16T10:52:37.203Z");
  auto again = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest(id));
  CHECK(again.status == 200);
  CHECK(again.body == first.body);
  auto other = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest(id, "/other"));
  CHECK(other.status == 409);
}

TEST_CASE("concurrent creates of one run_id: one 201, the rest 200 with the same body, other "
          "bytes 409, one run stored", "[e2e]") {
  running_server s;
  const std::string id = "01JRZ3NDEKTSV4RRFFQ69G5FAW";
  constexpr int kClients = 16, kEach = 4;
  std::vector<std::vector<http_response>> got(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      http_connection conn(s.port());
      for (int i = 0; i < kEach; ++i) {
        // Every fourth client sends other bytes for the same id.
        auto body = c % 4 == 3 ? minimal_manifest(id, "/other") : minimal_manifest(id);
        got[c].push_back(conn.send("POST", "/api/v1/runs", body));
      }
    });
  for (auto& t : clients) t.join();
  int created = 0, same = 0, conflicts = 0, other = 0;
  std::string created_body;
  for (int c = 0; c < kClients; ++c)
    for (auto& r : got[c]) {
      if (r.status == 201) ++created, created_body = r.body;
      else if (r.status == 200) ++same;
      else if (r.status == 409) ++conflicts;
      else ++other;
    }
  CHECK(other == 0);
  // Whichever bytes came first own the id; the rest of those bytes get 200,
  // the other bytes 409.
  CHECK(created == 1);
  CHECK(same + conflicts == kClients * kEach - 1);
  CHECK(conflicts >= 1);
  CHECK(json_string_field(created_body, "id") == id);
  for (int c = 0; c < kClients; ++c)
    for (auto& r : got[c])
      if (r.status == 200) CHECK(json_string_field(r.body, "id") == id);
  auto page = http_request(s.port(), "GET", "/api/v1/runs?page[limit]=100");
  CHECK(data_items(page.body).size() == 1);
}

TEST_CASE("malformed and unknown run ids answer 400 and 404", "[e2e]") {
  running_server s;
  CHECK(is_error_body(http_request(s.port(), "GET", "/api/v1/runs/nope"), 400, "Invalid run ID."));
  CHECK(is_error_body(http_request(s.port(), "GET", "/api/v1/runs/01JRZ3NDEKTSV4RRFFQ69G5FAV"),
                      404, "Run not found."));
  auto unknown_route = http_request(s.port(), "GET", "/api/v1/nothing-here");
  CHECK(unknown_route.status == 404);
  CHECK_FALSE(unknown_route.header("x-request-id").empty());
}

TEST_CASE("health answers ok with the version", "[e2e]") {
  running_server s;
  auto r = http_request(s.port(), "GET", "/health");
  CHECK(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "ok");
  CHECK_FALSE(json_string_field(r.body, "version").empty());
}

TEST_CASE("HTTP/1.1 connections stay open unless the client asks to close", "[e2e]") {
  running_server s;
  http_connection c(s.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.send("POST", "/api/v1/runs", minimal_manifest());
    CHECK(r.status == 201);
    CHECK(r.header("connection") != "Close");
  }
  // Pistache leaves closing to the client, which it tells to close.
  auto last = c.send("GET", "/health", "", "Connection: close\r\n");
  CHECK(last.status == 200);
  CHECK(last.header("connection") == "Close");
}

TEST_CASE("SIGTERM stops the server cleanly with exit code 0", "[e2e]") {
  running_server s;
  REQUIRE(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  CHECK(s.server.stop() == 0);
}

TEST_CASE("SIGTERM stops a server holding 4,000 queued runs with exit code 0, and they stay queued",
          "[e2e]") {
  temp_dir dir;
  std::vector<std::string> ids;
  {
    server_process server(dir.path + "/data", {"--max-concurrent-runs", "0"});
    REQUIRE(server.started());
    // Thousands of runs with actors, created through the orchestrator: what
    // once left CAF's teardown waiting forever.
    std::vector<std::thread> clients;
    std::vector<std::vector<std::string>> got(8);
    for (int c = 0; c < 8; ++c)
      clients.emplace_back([&, c] {
        http_connection conn(server.port());
        for (int i = 0; i < 500; ++i) {
          auto r = conn.send("POST", "/api/v1/runs?start=true", minimal_manifest());
          if (r.status != 201) return;
          got[c].push_back(json_string_field(r.body, "id"));
        }
      });
    for (auto& t : clients) t.join();
    for (auto& g : got) ids.insert(ids.end(), g.begin(), g.end());
    REQUIRE(ids.size() == 4000);
    CHECK(server.stop() == 0);
  }
  server_process again(dir.path + "/data", {"--max-concurrent-runs", "0"});
  REQUIRE(again.started());
  http_connection conn(again.port());
  size_t queued = 0;
  for (const auto& id : ids)
    if (json_string_field(conn.send("GET", "/api/v1/runs/" + id).body, "status") == "queued")
      ++queued;
  CHECK(queued == ids.size());
  CHECK(again.stop() == 0);
}
