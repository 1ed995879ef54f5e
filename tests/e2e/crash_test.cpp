// Durability: every run that got a 201 survives a SIGKILL mid-load.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;

TEST_CASE("runs acknowledged with 201 survive a SIGKILL mid-load with their manifests", "[e2e]") {
  temp_dir dir;
  std::string data = dir.path + "/data";
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> acknowledged;  // id, manifest
  {
    server_process server(data);
    REQUIRE(server.started());
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&, c] {
        http_connection conn(server.port());
        for (int i = 0; !stop.load(); ++i) {
          auto body = minimal_manifest("", "/tmp/client" + std::to_string(c) + "/" + std::to_string(i));
          auto r = conn.send("POST", "/api/v1/runs", body);
          if (r.status == 0) return;  // the server is gone
          if (r.status == 201) {
            std::lock_guard<std::mutex> g(mutex);
            acknowledged.emplace_back(json_string_field(r.body, "id"), body);
          }
        }
      });
    }
    // Kill once a good number of runs were acknowledged: mid-load, not before.
    while (true) {
      {
        std::lock_guard<std::mutex> g(mutex);
        if (acknowledged.size() >= 300) break;
      }
      std::this_thread::yield();
    }
    server.kill();
    stop = true;
    for (auto& t : clients) t.join();
  }
  server_process restarted(data);
  REQUIRE(restarted.started());
  http_connection conn(restarted.port());
  size_t found = 0;
  for (const auto& [id, body] : acknowledged) {
    auto r = conn.send("GET", "/api/v1/runs/" + id);
    CHECK(r.status == 200);
    // The manifest's cwd is unique per request: it proves the right bytes.
    auto cwd = body.substr(body.find("\"cwd\":\"") + 7);
    cwd = cwd.substr(0, cwd.find('"'));
    if (r.status == 200 && json_string_field(r.body, "host_repo_path") == cwd) ++found;
  }
  CHECK(found == acknowledged.size());
}
