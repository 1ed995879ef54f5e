// The server on a PostgreSQL store (issue 18 item 1): what was acknowledged
// survives a SIGKILL, lives in the database rather than the data directory,
// keeps its queue positions, and executes after a restart; one server per
// store until cluster mode.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;

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

    // A second server on the same store refuses to start, naming why.
    temp_dir third;
    server_process rival(third.path + "/data", {"--store", url});
    CHECK_FALSE(rival.started());
    CHECK(rival.log().find("another server is serving postgresql://fabro@127.0.0.1:") !=
          std::string::npos);
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
