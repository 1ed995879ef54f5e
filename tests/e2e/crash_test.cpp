// Durability: every run that got a 201 survives a SIGKILL mid-load.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

// 8 clients create runs until 300 were acknowledged, the server is
// SIGKILLed, and a restarted one (same `args`) has every acknowledged run
// with its manifest's bytes.
void acknowledged_runs_survive_a_kill(const std::vector<std::string>& args) {
  temp_dir dir;
  std::string data = dir.path + "/data";
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> acknowledged;  // id, manifest
  {
    server_process server(data, args);
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
  server_process restarted(data, args);
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

}  // namespace

TEST_CASE("runs acknowledged with 201 survive a SIGKILL mid-load with their manifests", "[e2e]") {
  acknowledged_runs_survive_a_kill({});
}

TEST_CASE("runs acknowledged with 201 on a PostgreSQL store survive a SIGKILL mid-load",
          "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  acknowledged_runs_survive_a_kill({"--store", pg->fresh_database()});
}

namespace {

bool alive_in(pid_t pid, const std::string& cwd) {
  std::error_code ec;
  auto where = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
  return !ec && where == cwd;
}

}  // namespace

TEST_CASE("five SIGKILLs under create and start load with live command stages: every "
          "acknowledged run survives, no stage outlives recovery", "[e2e][crash]") {
  temp_dir dir;
  std::string data = dir.path + "/data";
  const std::set<std::string> legal = {"submitted", "queued", "starting", "running",
                                       "completed", "failed", "cancelled", "paused"};
  std::vector<std::string> acknowledged;
  std::vector<std::string> stage_dirs;  // cwd of every command run started
  // The stages (bash pid, cwd) that ran when the previous server was killed.
  std::vector<std::pair<pid_t, std::string>> orphans;
  auto orphans_of_kill = [&] {
    orphans.clear();
    for (const auto& cwd : stage_dirs) {
      auto text = read_text(cwd + "/pid");
      auto pid = text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
      if (pid > 0 && alive_in(pid, cwd)) orphans.emplace_back(pid, cwd);
    }
  };
  uint16_t port = 0;
  for (int cycle = 0; cycle < 5; ++cycle) {
    INFO("cycle " << cycle);
    std::vector<std::string> args{"--max-concurrent-runs", "4"};
    if (port) args.insert(args.end(), {"--bind", "127.0.0.1:" + std::to_string(port)});
    auto begin = std::chrono::steady_clock::now();
    server_process server(data, args);
    auto took = std::chrono::steady_clock::now() - begin;
    INFO(server.log());
    REQUIRE(server.started());
    if (port) {
      CHECK(server.port() == port);
      CHECK(took < 2s);
    }
    port = server.port();
    // No stage of the previous server is left once it listens.
    for (const auto& [pid, cwd] : orphans) CHECK_FALSE(alive_in(pid, cwd));
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::atomic<int> live_stages{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        http_connection conn(port);
        for (int i = 0; !stop.load(); ++i) {
          std::string body, cwd;
          if (c == 0 && i < 6) {  // a few long command stages: live at the kill
            cwd = dir.path + "/w" + std::to_string(cycle) + "-" + std::to_string(i);
            std::filesystem::create_directories(cwd);
            body = exec_manifest(command_workflow("echo $$ > pid; sleep 30; true"), cwd);
          } else {
            body = minimal_manifest("", "/tmp/c" + std::to_string(cycle) + "/" +
                                            std::to_string(c) + "/" + std::to_string(i));
          }
          auto r = conn.send("POST", i % 2 ? "/api/v1/runs?start=true" : "/api/v1/runs", body);
          if (r.status == 0) return;  // the server is gone
          if (r.status != 201) continue;
          std::lock_guard<std::mutex> g(mutex);
          acknowledged.push_back(json_string_field(r.body, "id"));
          if (!cwd.empty()) {
            stage_dirs.push_back(cwd);
            if (i % 2 == 0) conn.send("POST", "/api/v1/runs/" + acknowledged.back() + "/start");
          }
        }
      });
    }
    // Kill mid-load, once stages run and runs were acknowledged.
    REQUIRE(eventually([&] {
      std::lock_guard<std::mutex> g(mutex);
      int live = 0;
      for (const auto& cwd : stage_dirs)
        if (std::filesystem::exists(cwd + "/pid")) ++live;
      live_stages = live;
      return live >= 2 && acknowledged.size() >= 100 * static_cast<size_t>(cycle + 1);
    }));
    server.kill();
    stop = true;
    for (auto& t : clients) t.join();
    orphans_of_kill();
    CHECK(orphans.size() >= 2);  // the kill did catch live stages
  }
  server_process last(data, {"--bind", "127.0.0.1:" + std::to_string(port)});
  REQUIRE(last.started());
  for (const auto& [pid, cwd] : orphans) CHECK_FALSE(alive_in(pid, cwd));
  http_connection conn(last.port());
  size_t readable = 0;
  for (const auto& id : acknowledged) {
    auto r = conn.send("GET", "/api/v1/runs/" + id);
    if (r.status == 200 && legal.count(json_string_field(r.body, "status"))) ++readable;
  }
  CHECK(readable == acknowledged.size());
}
