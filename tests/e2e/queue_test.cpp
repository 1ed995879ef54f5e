// The queue over HTTP against the real binary: exact 1-based positions,
// backpressure (max_queued_runs → 429), the concurrency limit observed
// from the commands themselves, and the queue surviving a SIGKILL
// (DESIGN §3, §4.2, §4.3, §4.7, §5; reference §4.3).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "model/json_writer.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {





std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

struct client {
  uint16_t port;
  http_response post(const std::string& path, const std::string& body = "") {
    return http_request(port, "POST", path, body);
  }
  http_response get(const std::string& id) {
    return http_request(port, "GET", "/api/v1/runs/" + id);
  }
  std::string status(const std::string& id) { return json_string_field(get(id).body, "status"); }
  uint64_t position(const std::string& id) { return json_uint_field(get(id).body, "queue_position"); }
  // id → queue_position (0 = none) of every run GET /runs lists.
  std::map<std::string, uint64_t> listed_positions() {
    std::map<std::string, uint64_t> out;
    for (uint64_t offset = 0;; offset += 100) {
      auto r = http_request(port, "GET",
                            "/api/v1/runs?page[limit]=100&page[offset]=" + std::to_string(offset));
      for (const auto& item : data_items(r.body))
        out[json_string_field(item, "id")] = json_uint_field(item, "queue_position");
      if (r.header("link").empty()) break;  // no next page
    }
    return out;
  }
  // Positions read back one by one (GET /runs/{id}) and from the list agree
  // with 1..N in `order`.
  void check_positions(const std::vector<std::string>& order) {
    auto listed = listed_positions();
    for (size_t i = 0; i < order.size(); ++i) {
      INFO("run " << i << " " << order[i]);
      CHECK(position(order[i]) == i + 1);
      CHECK(listed[order[i]] == i + 1);
    }
  }
};

}  // namespace

TEST_CASE("queued runs hold exact positions 1..N, also after a cancel in the middle", "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data", {"--max-concurrent-runs", "0"});
  REQUIRE(server.started());
  client c{server.port()};
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    auto r = c.post("/api/v1/runs?start=true", minimal_manifest());
    REQUIRE(r.status == 201);
    CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
    ids.push_back(json_string_field(r.body, "id"));
  }
  c.check_positions(ids);
  auto r = c.post("/api/v1/runs/" + ids[3] + "/cancel");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "cancelled");
  CHECK(c.get(ids[3]).body.find("\"queue_position\"") == std::string::npos);
  ids.erase(ids.begin() + 3);
  c.check_positions(ids);
  // The head and the tail too.
  REQUIRE(c.post("/api/v1/runs/" + ids.front() + "/cancel").status == 200);
  REQUIRE(c.post("/api/v1/runs/" + ids.back() + "/cancel").status == 200);
  ids.erase(ids.begin());
  ids.pop_back();
  c.check_positions(ids);
  // A newcomer goes to the tail.
  auto tail = c.post("/api/v1/runs?start=true", minimal_manifest());
  CHECK(json_uint_field(tail.body, "queue_position") == ids.size() + 1);
}

TEST_CASE("beyond max_queued_runs start answers 429 with Retry-After and creates nothing",
          "[e2e]") {
  temp_dir dir;
  auto cfg = write_file(dir.path + "/queue.yaml", "max_concurrent_runs: 0\nmax_queued_runs: 2\n");
  server_process server(dir.path + "/data", {"--config", cfg});
  REQUIRE(server.started());
  client c{server.port()};
  REQUIRE(c.post("/api/v1/runs?start=true", minimal_manifest()).status == 201);
  REQUIRE(c.post("/api/v1/runs?start=true", minimal_manifest()).status == 201);

  const std::string id = "01JRZ3NDEKTSV4RRFFQ69G5FAX";
  auto r = c.post("/api/v1/runs?start=true", minimal_manifest(id));
  CHECK(r.status == 429);
  CHECK(json_string_field(r.body, "title") == "Too Many Requests");
  CHECK(r.header("retry-after") == "1");
  CHECK(c.get(id).status == 404);  // nothing half-created
  CHECK(c.listed_positions().size() == 2);

  // A submitted run stays submitted when its start is refused.
  auto submitted = json_string_field(c.post("/api/v1/runs", minimal_manifest()).body, "id");
  r = c.post("/api/v1/runs/" + submitted + "/start");
  CHECK(r.status == 429);
  CHECK(r.header("retry-after") == "1");
  CHECK(c.status(submitted) == "submitted");
  // A cancel frees a place.
  auto first = c.listed_positions();
  for (const auto& [run, pos] : first)
    if (pos == 1) REQUIRE(c.post("/api/v1/runs/" + run + "/cancel").status == 200);
  r = c.post("/api/v1/runs/" + submitted + "/start");
  CHECK(r.status == 200);
  CHECK(json_uint_field(r.body, "queue_position") == 2);
}

TEST_CASE("the concurrency limit is never exceeded, seen from the commands themselves",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data", {"--max-concurrent-runs", "2"});
  REQUIRE(server.started());
  client c{server.port()};
  auto log = dir.path + "/spans.log";
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    auto script = "echo start $(date +%s%N) >> " + log + "; sleep 0.3; echo end $(date +%s%N) >> " + log;
    auto r = c.post("/api/v1/runs?start=true", exec_manifest(command_workflow(script), dir.path));
    REQUIRE(r.status == 201);
    ids.push_back(json_string_field(r.body, "id"));
  }
  for (const auto& id : ids) CHECK(eventually([&] { return c.status(id) == "completed"; }, 60s));
  std::ifstream in(log);
  std::vector<std::pair<long long, int>> marks;  // (time, +1 start / -1 end)
  std::string kind;
  long long t;
  while (in >> kind >> t) marks.emplace_back(t, kind == "start" ? 1 : -1);
  REQUIRE(marks.size() == 12);
  std::sort(marks.begin(), marks.end());  // an end sorts before a start at the same ns
  int running = 0, peak = 0;
  for (auto [when, delta] : marks) peak = std::max(peak, running += delta);
  CHECK(peak <= 2);
  CHECK(peak >= 1);
}

TEST_CASE("after a SIGKILL the running run fails terminated and the queue comes back in order",
          "[e2e]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  std::string running_id;
  std::vector<std::string> queued;
  {
    server_process server(data, {"--max-concurrent-runs", "1"});
    REQUIRE(server.started());
    client c{server.port()};
    auto r = c.post("/api/v1/runs?start=true",
                    exec_manifest(command_workflow("touch started; sleep 30"), dir.path));
    REQUIRE(r.status == 201);
    running_id = json_string_field(r.body, "id");
    REQUIRE(eventually([&] { return std::filesystem::exists(dir.path + "/started"); }));
    REQUIRE(eventually([&] { return c.status(running_id) == "running"; }));
    for (int i = 0; i < 49; ++i) {
      r = c.post("/api/v1/runs?start=true", exec_manifest(command_workflow("true"), dir.path));
      REQUIRE(r.status == 201);
      CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
      queued.push_back(json_string_field(r.body, "id"));
    }
    server.kill();
  }
  {
    // Nothing may start yet: positions are checked on a still queue.
    server_process server(data, {"--max-concurrent-runs", "0"});
    REQUIRE(server.started());
    client c{server.port()};
    auto r = c.get(running_id);
    CHECK(json_string_field(r.body, "status") == "failed");
    CHECK(json_string_field(r.body, "status_reason") == "terminated");
    for (const auto& id : queued) CHECK(c.status(id) == "queued");
    c.check_positions(queued);
    CHECK(server.stop() == 0);
  }
  {
    server_process server(data, {"--max-concurrent-runs", "1"});
    REQUIRE(server.started());
    client c{server.port()};
    for (const auto& id : queued)
      CHECK(eventually([&] { return c.status(id) == "completed"; }, 60s));
    CHECK(json_string_field(c.get(running_id).body, "status") == "failed");
  }
}

TEST_CASE("10,000 runs queued by 8 concurrent clients keep every position across a SIGKILL "
          "and restart", "[e2e]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  const int clients = 8, each = 1250;
  std::map<std::string, uint64_t> answered;  // id → position in its 201
  std::map<std::string, uint64_t> before;    // id → position read back before the kill
  {
    server_process server(data, {"--max-concurrent-runs", "0"});
    REQUIRE(server.started());
    std::vector<std::thread> threads;
    std::vector<std::vector<std::pair<std::string, uint64_t>>> got(clients);
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        http_connection conn(server.port());
        for (int i = 0; i < each; ++i) {
          auto r = conn.send("POST", "/api/v1/runs?start=true", minimal_manifest());
          if (r.status != 201) return;
          got[c].emplace_back(json_string_field(r.body, "id"),
                              json_uint_field(r.body, "queue_position"));
        }
      });
    for (auto& t : threads) t.join();
    for (auto& g : got) answered.insert(g.begin(), g.end());
    REQUIRE(answered.size() == static_cast<size_t>(clients * each));
    http_connection conn(server.port());
    for (const auto& [id, pos] : answered)
      before[id] = json_uint_field(conn.send("GET", "/api/v1/runs/" + id).body, "queue_position");
    server.kill();
  }
  // Nothing was admitted or cancelled: the position each client was told
  // is still its run's, and the positions are exactly 1..N.
  std::vector<bool> seen(answered.size() + 1, false);
  size_t told_differs = 0;
  for (const auto& [id, pos] : before) {
    REQUIRE(pos >= 1);
    REQUIRE(pos <= answered.size());
    CHECK_FALSE(seen[pos]);
    seen[pos] = true;
    told_differs += answered[id] != pos;
  }
  CHECK(told_differs == 0);
  server_process server(data, {"--max-concurrent-runs", "0"});
  REQUIRE(server.started());
  http_connection conn(server.port());
  size_t moved = 0;
  for (const auto& [id, pos] : before) {
    auto body = conn.send("GET", "/api/v1/runs/" + id).body;
    if (json_uint_field(body, "queue_position") != pos) ++moved;
  }
  CHECK(moved == 0);
  CHECK(server.stop() == 0);
}
