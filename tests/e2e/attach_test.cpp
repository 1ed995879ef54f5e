// Following runs over Server-Sent Events against the real binary.
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/sse_client.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

struct running_server {
  temp_dir dir;
  server_process server{dir.path + "/data", {"--config", write_config()}};
  uint16_t port() const { return server.port(); }
  std::string write_config() {
    std::string path = dir.path + "/fast-keepalive.yaml";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("sse_keepalive_ms: 200\n", f);
    std::fclose(f);
    return path;
  }
  std::string create() {
    return json_string_field(http_request(port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  }
};

}  // namespace

TEST_CASE("attaching with since_seq replays the log as id/data frames, and a submitted run "
          "keeps the stream open", "[e2e]") {
  running_server s;
  REQUIRE(s.server.started());
  auto id = s.create();
  sse_client sse(s.port(), "/api/v1/runs/" + id + "/attach?since_seq=0");
  REQUIRE(sse.status() == 200);
  CHECK(sse.header("content-type") == "text/event-stream");
  auto frames = sse.wait_for(2);
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].id == 1);
  CHECK(json_string_field(frames[0].data, "event") == "run.created");
  CHECK(frames[1].id == 2);
  CHECK(json_string_field(frames[1].data, "event") == "run.submitted");
  CHECK(json_string_field(frames[1].data, "run_id") == id);
  CHECK_FALSE(sse.wait_closed(600ms));  // a submitted run's stream stays open...
  CHECK(sse.comments() >= 1);            // ...with keep-alive comments
}

TEST_CASE("Last-Event-ID resumes after the given seq", "[e2e]") {
  running_server s;
  auto id = s.create();
  sse_client sse(s.port(), "/api/v1/runs/" + id + "/attach", "Last-Event-ID: 1\r\n");
  auto frames = sse.wait_for(1);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].id == 2);
}

TEST_CASE("the global stream carries new runs' events, filtered by run_id", "[e2e]") {
  running_server s;
  auto first = s.create();
  sse_client all(s.port(), "/api/v1/attach");
  sse_client only_first(s.port(), "/api/v1/attach?run_id=" + first);
  REQUIRE(all.status() == 200);
  REQUIRE(only_first.status() == 200);
  // Subscriptions are registered asynchronously: the keep-alive shows it.
  all.wait_for(1, 500ms);
  auto second = s.create();
  auto frames = all.wait_for(2);
  REQUIRE(frames.size() >= 2);
  CHECK(json_string_field(frames[0].data, "run_id") == second);
  CHECK(only_first.wait_for(1, 500ms).empty());
}

TEST_CASE("attach answers 400 for a bad id or list and 404 for an unknown run", "[e2e]") {
  running_server s;
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/nope/attach").status == 400);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/01JRZ3NDEKTSV4RRFFQ69G5FAV/attach").status == 404);
  CHECK(http_request(s.port(), "GET", "/api/v1/attach?run_id=bad").status == 400);
  CHECK(http_request(s.port(), "GET", "/api/v1/attach?run_id=01JRZ3NDEKTSV4RRFFQ69G5FAV,").status == 400);
}

TEST_CASE("attach needs credentials", "[e2e]") {
  running_server s;
  auto id = s.create();
  CHECK(http_request_auth(s.port(), "", "GET", "/api/v1/runs/" + id + "/attach?since_seq=1").status == 401);
}
