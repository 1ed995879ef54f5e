// The server on a PostgreSQL store (issue 18): what was acknowledged
// survives a SIGKILL, lives in the database rather than the data directory,
// keeps its queue positions, and executes after a restart; a second server
// on the store waits as a standby and takes over from a killed authority.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

TEST_CASE("runs on a PostgreSQL store survive a SIGKILL, keep their positions and execute "
          "on a server with another data directory", "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir first, second;
  const std::string manifest =
      exec_manifest(command_workflow("echo hi"), "/tmp", /*dry_run=*/true);
  std::vector<std::string> submitted, queued;
  {
    server_process server(first.path + "/data", {"--store", url, "--max-concurrent-runs", "0"});
    INFO(server.log());
    REQUIRE(server.started());
    for (int i = 0; i < 8; ++i) {
      auto r = http_request(server.port(), "POST", "/api/v1/runs", manifest);
      REQUIRE(r.status == 201);
      submitted.push_back(json_string_field(r.body, "id"));
      r = http_request(server.port(), "POST", "/api/v1/runs?start=true", manifest);
      REQUIRE(r.status == 201);
      CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
      queued.push_back(json_string_field(r.body, "id"));
    }
    server.kill();
  }
  std::string second_data = second.path + "/data";
  {
    server_process server(second_data, {"--store", url, "--max-concurrent-runs", "0"});
    INFO(server.log());
    REQUIRE(server.started());
    for (const auto& id : submitted)
      CHECK(json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                              "status") == "submitted");
    for (size_t i = 0; i < queued.size(); ++i) {
      auto body = http_request(server.port(), "GET", "/api/v1/runs/" + queued[i]).body;
      CHECK(json_string_field(body, "status") == "queued");
      CHECK(json_uint_field(body, "queue_position") == i + 1);
    }
    auto info = http_request(server.port(), "GET", "/api/v1/system/info");
    CHECK(json_string_field(info.body, "storage_engine") == "postgresql");

    CHECK(server.stop() == 0);
  }
  server_process server(second_data, {"--store", url, "--max-concurrent-runs", "4"});
  INFO(server.log());
  REQUIRE(server.started());
  for (const auto& id : queued)
    CHECK(eventually([&] {
      return json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                               "status") == "completed";
    }));
  auto events = http_request(server.port(), "GET", "/api/v1/runs/" + queued[0] + "/events");
  CHECK(events.status == 200);
  CHECK(events.body.find("\"run.completed\"") != std::string::npos);
}

TEST_CASE("a server whose PostgreSQL store cannot be reached exits with the reason",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data",
                        {"--store", "postgresql://fabro:pw@127.0.0.1:1/none"});
  CHECK_FALSE(server.started());
  CHECK(server.log().find("postgresql://fabro:***@127.0.0.1:1/none") != std::string::npos);
  CHECK(server.log().find(":pw@") == std::string::npos);
}

TEST_CASE("a standby on the same PostgreSQL store takes over within 10 s of the authority's "
          "SIGKILL, with every acknowledged run and the queue's order", "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir alpha_dir, beta_dir, work;
  server_process alpha(alpha_dir.path + "/data",
                       {"--store", url, "--max-concurrent-runs", "1", "--node-id", "alpha"});
  INFO(alpha.log());
  REQUIRE(alpha.started());
  auto r = http_request(alpha.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("touch started; sleep 20"), work.path));
  REQUIRE(r.status == 201);
  auto running = json_string_field(r.body, "id");
  REQUIRE(eventually([&] { return std::filesystem::exists(work.path + "/started"); }));
  std::vector<std::string> queued;
  for (int i = 0; i < 6; ++i) {
    r = http_request(alpha.port(), "POST", "/api/v1/runs?start=true",
                     exec_manifest(command_workflow("true"), work.path, /*dry_run=*/true));
    REQUIRE(r.status == 201);
    CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
    queued.push_back(json_string_field(r.body, "id"));
  }

  // The standby waits (it does not listen) until the authority is gone.
  std::unique_ptr<server_process> beta;
  std::thread standby([&] {
    beta = std::make_unique<server_process>(
        beta_dir.path + "/data",
        std::vector<std::string>{"--store", url, "--max-concurrent-runs", "0", "--node-id", "beta"});
  });
  auto info = [](uint16_t port) { return http_request(port, "GET", "/api/v1/system/info").body; };
  CHECK(eventually([&] {
    auto body = info(alpha.port());
    return body.find("{\"id\":\"beta\",\"address\":\"\",\"role\":\"standby\"") !=
           std::string::npos;
  }));
  auto before = info(alpha.port());
  CHECK(before.find("\"cluster\":{\"node\":\"alpha\",\"term\":1,") != std::string::npos);
  CHECK(before.find("{\"id\":\"alpha\",\"address\":\"127.0.0.1:" +
                    std::to_string(alpha.port()) + "\",\"role\":\"authority\"") !=
        std::string::npos);

  auto killed = std::chrono::steady_clock::now();
  alpha.kill();
  standby.join();
  auto took = std::chrono::steady_clock::now() - killed;
  REQUIRE(beta);
  INFO(beta->log());
  REQUIRE(beta->started());
  CHECK(took < 10s);
  CHECK(beta->log().find("standby: node alpha is the queue authority") != std::string::npos);
  CHECK(info(beta->port()).find("\"cluster\":{\"node\":\"beta\",\"term\":2,") !=
        std::string::npos);
  // The run alpha executed ended with it; the queue is whole and in order.
  auto body = http_request(beta->port(), "GET", "/api/v1/runs/" + running).body;
  CHECK(json_string_field(body, "status") == "failed");
  CHECK(json_string_field(body, "status_reason") == "terminated");
  for (size_t i = 0; i < queued.size(); ++i) {
    body = http_request(beta->port(), "GET", "/api/v1/runs/" + queued[i]).body;
    CHECK(json_string_field(body, "status") == "queued");
    CHECK(json_uint_field(body, "queue_position") == i + 1);
  }
  // Creates go on through the new authority, at the end of the queue.
  r = http_request(beta->port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("true"), work.path, true));
  CHECK(r.status == 201);
  CHECK(json_uint_field(r.body, "queue_position") == queued.size() + 1);
}

TEST_CASE("a server that lost the PostgreSQL store's authority commits nothing more",
          "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir dir;
  server_process server(dir.path + "/data", {"--store", url, "--node-id", "old"});
  INFO(server.log());
  REQUIRE(server.started());
  REQUIRE(http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  // Another node took the authority while this one still runs (a partition
  // as the database sees it): the term moves on, the fence refuses.
  REQUIRE(sql_value(url, "UPDATE fabro_authority SET term = term + 1, node_id = 'new'"));
  auto refused = http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest());
  CHECK(refused.status == 503);
  CHECK(sql_value(url, "SELECT count(*) FROM runs") == "1");
}
