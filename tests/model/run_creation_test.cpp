#include "model/run_creation.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <string>

#include "model/run_json.hpp"
#include "model/ulid.hpp"

using namespace fabro::model;

namespace {

const std::string kBody = R"({
  "version": 1, "cwd": "/home/dev/app",
  "goal": {"type": "value", "text": "Add rate limiting"},
  "args": {"label": ["team=infra", "bad", "tier=gold"]},
  "target": {"identifier": "smoke", "path": "smoke.fabro"},
  "workflows": {"smoke.fabro": {"source": "digraph Smoke { graph [goal=\"from graph\"] }"}}
})";

const std::string kNoGoal = R"({
  "version": 1, "cwd": "/tmp",
  "target": {"identifier": "w", "path": "w.fabro"},
  "workflows": {"w.fabro": {"source": "digraph { }"}}
})";

// 2026-04-13T12:34:56.789Z as a ULID.
const uint64_t kIdMs = 1776083696789;
const std::string kId = make_ulid(kIdMs, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
// The server clock at submission, a day after the id's time.
const int64_t kNow = 1776170096000;

run_manifest parsed(const std::string& body) {
  auto m = parse_manifest(body);
  REQUIRE(m);
  return *m;
}

}  // namespace

TEST_CASE("a new run is submitted with created_at taken from its ULID", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "from graph");
  CHECK(run.record.id == kId);
  CHECK(run.record.status == run_status::submitted);
  CHECK(run.record.created_at_ms == static_cast<int64_t>(kIdMs));
  CHECK(run.record.reason == status_reason::none);
  CHECK(run.record.pending_control == control_action::none);
  CHECK(run.record.error_message.empty());
  CHECK(run.record.start_time_ms == -1);
  CHECK(run.record.duration_ms == -1);
  CHECK(run.record.queue_position == 0);
}

TEST_CASE("a new run answers 201 with the ULID's timestamp as created_at", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "");
  CHECK(status_response_json(run.record) ==
        R"({"id":")" + kId + R"(","status":"submitted","created_at":"2026-04-13T12:34:56.789Z"})");
}

TEST_CASE("a client-chosen old run id gives an old created_at", "[model]") {
  const std::string old_id = make_ulid(951782400000, {});  // 2000-02-29
  auto run = make_new_run(parsed(kNoGoal), kNoGoal, old_id, kNow, "W", "");
  CHECK(run.record.created_at_ms == 951782400000);
}

TEST_CASE("a new run's log starts with run.created then run.submitted", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "from graph");
  REQUIRE(run.events.size() == 2);
  CHECK(run.events[0].seq == 1);
  CHECK(run.events[0].event == "run.created");
  CHECK(run.events[1].seq == 2);
  CHECK(run.events[1].event == "run.submitted");
  CHECK(run.record.last_seq == 2);
  for (const auto& e : run.events) {
    CHECK(e.run_id == kId);
    CHECK(e.ts_ms == kNow);       // the events happen now, not at the id's time
    CHECK(e.id.empty());          // stamped by the caller
    CHECK(e.node_id.empty());
    CHECK(e.actor_json.empty());
  }
  CHECK(run.events[1].properties_json == "{}");
}

TEST_CASE("run.created describes the workflow, directory, goal and labels", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "from graph");
  CHECK(run.events[0].properties_json ==
        R"({"workflow_name":"Smoke","target_path":"smoke.fabro",)"
        R"("working_directory":"/home/dev/app","goal":"Add rate limiting",)"
        R"("labels":{"team":"infra","tier":"gold"}})");
  simdjson::dom::parser p;
  CHECK_FALSE(p.parse(run.events[0].properties_json).error());
}

TEST_CASE("run.created omits the goal when there is none", "[model]") {
  auto run = make_new_run(parsed(kNoGoal), kNoGoal, kId, kNow, "W", "");
  CHECK(run.events[0].properties_json ==
        R"({"workflow_name":"W","target_path":"w.fabro","working_directory":"/tmp","labels":{}})");
}

TEST_CASE("the manifest goal wins over the graph goal", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "from graph");
  CHECK(run.record.goal == "Add rate limiting");
}

TEST_CASE("the graph goal is used when the manifest has none", "[model]") {
  auto run = make_new_run(parsed(kNoGoal), kNoGoal, kId, kNow, "W", "from graph");
  CHECK(run.record.goal == "from graph");
  CHECK(run.events[0].properties_json.find(R"("goal":"from graph")") != std::string::npos);
}

TEST_CASE("a run with no goal anywhere shows goal null", "[model]") {
  auto run = make_new_run(parsed(kNoGoal), kNoGoal, kId, kNow, "W", "");
  CHECK(run.record.goal.empty());
  CHECK(summary_json(run.record).find(R"("goal":null)") != std::string::npos);
}

TEST_CASE("a graph without a name gives workflow_name unnamed", "[model]") {
  auto run = make_new_run(parsed(kNoGoal), kNoGoal, kId, kNow, "", "");
  CHECK(run.record.workflow_name == "unnamed");
  CHECK(run.events[0].properties_json.find(R"("workflow_name":"unnamed")") != std::string::npos);
  CHECK(summary_json(run.record).find(R"("workflow_name":"unnamed")") != std::string::npos);
}

TEST_CASE("a new run's labels are the k=v entries of args.label", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "");
  CHECK(run.record.labels ==
        std::map<std::string, std::string>{{"team", "infra"}, {"tier", "gold"}});
}

TEST_CASE("a new run works in the manifest's cwd and keeps the body byte for byte", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "");
  CHECK(run.record.host_repo_path == "/home/dev/app");
  CHECK(run.manifest_bytes == kBody);
}

TEST_CASE("a new run's summary shows it submitted with every key", "[model]") {
  auto run = make_new_run(parsed(kBody), kBody, kId, kNow, "Smoke", "");
  CHECK(summary_json(run.record) ==
        R"({"id":")" + kId + R"(","status":"submitted","created_at":"2026-04-13T12:34:56.789Z",)"
        R"("run_id":")" + kId + R"(","workflow_name":"Smoke","workflow_slug":null,)"
        R"("goal":"Add rate limiting","labels":{"team":"infra","tier":"gold"},)"
        R"("host_repo_path":"/home/dev/app","start_time":null,"status_reason":null,)"
        R"("pending_control":null,"duration_ms":null,"total_usd_micros":null})");
}
