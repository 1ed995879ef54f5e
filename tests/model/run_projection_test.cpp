// Fabro's RunProjection folded from an event log (model/run_projection.hpp),
// checked field by field and against the RunProjection schema of Fabro's
// seed-era document.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "model/run_projection.hpp"
#include "tests/support/json_schema.hpp"

using namespace fabro::model;

namespace {

const char* kRun = "01JRZ3NDEKTSV4RRFFQ69G5FAV";

// An envelope of run kRun.
std::string env(uint64_t seq, const std::string& event, const std::string& props,
                const std::string& extra = "") {
  return "{\"seq\":" + std::to_string(seq) + ",\"id\":\"e" + std::to_string(seq) +
         "\",\"ts\":\"2026-04-13T12:00:0" + std::to_string(seq % 10) + "Z\",\"run_id\":\"" +
         kRun + "\",\"event\":\"" + event + "\",\"properties\":" + props + extra + "}";
}

std::string stage(const std::string& id) {
  return ",\"node_id\":\"" + id.substr(0, id.find('@')) + "\",\"stage_id\":\"" + id + "\"";
}

struct parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit parsed(const std::string& json) { REQUIRE_FALSE(parser.parse(json).get(root)); }
  std::string text(const char* pointer) {
    std::string_view v;
    if (root.at_pointer(pointer).get(v)) return "<absent>";
    return std::string(v);
  }
  bool is_null(const char* pointer) {
    auto v = root.at_pointer(pointer);
    return !v.error() && v.value().is_null();
  }
};

std::vector<std::string> schema_errors(const std::string& json) {
  auto doc = YAML::LoadFile(FABRO_SOURCE_DIR "/tests/fixtures/fabro-api/fabro-api-9b83453.yaml");
  fabro::testing::json_schema_validator v(doc);
  return v.errors_in(v.resolve("#/components/schemas/RunProjection"), json);
}

run_definition definition() {
  run_definition d;
  d.workflow_name = "C";
  d.source = "digraph C { start -> work -> exit }";
  return d;
}

}  // namespace

TEST_CASE("a command run's log projects to its status, start, checkpoints, nodes and conclusion",
          "[model]") {
  run_projection p(kRun);
  std::vector<std::string> log = {
      env(1, "run.created", R"({"workflow_name":"C","working_directory":"/w","labels":{"a":"b"}})"),
      env(2, "run.submitted", "{}"),
      env(3, "run.queued", "{}"),
      env(4, "run.starting", R"({"reason":"sandbox_initializing"})"),
      env(5, "sandbox.initializing", R"({"provider":"local"})"),
      env(6, "sandbox.initialized", R"({"working_directory":"/w"})"),
      env(7, "run.started", R"({"name":"C"})"),
      env(8, "run.running", "{}"),
      env(9, "stage.started", R"({"attempt":1})", stage("work@1")),
      env(10, "command.started", R"({"script":"echo hi","command":"/bin/bash -c"})",
          stage("work@1")),
      env(11, "command.completed", R"({"exit_code":0,"stdout_tail":"hi\n","stderr_tail":""})",
          stage("work@1")),
      env(12, "stage.completed", R"({"status":"succeeded"})", stage("work@1")),
      env(13, "checkpoint.completed",
          R"({"current_node":"work","next_node_id":"exit","completed_nodes":["work"],"node_retries":{},"node_visits":{"work":1},"node_outcomes":{"work":"succeeded"},"loop_failure_signatures":{}})",
          stage("work@1")),
      env(14, "run.completed", R"({"duration_ms":5,"artifact_count":0,"status":"success","reason":"completed"})"),
  };
  for (const auto& e : log) REQUIRE(p.apply(e));
  auto d = definition();
  auto json = p.json(&d);
  CHECK(schema_errors(json).empty());
  parsed r(json);
  CHECK(r.text("/run/run_id") == kRun);
  CHECK(r.text("/run/working_directory") == "/w");
  CHECK(r.text("/run/labels/a") == "b");
  CHECK(r.text("/run/graph/name") == "C");
  CHECK(r.text("/graph_source") == d.source);
  CHECK(r.text("/start/start_time") == "2026-04-13T12:00:07Z");
  CHECK(r.text("/status/status") == "succeeded");
  CHECK(r.text("/status/reason") == "completed");
  CHECK(r.text("/status/updated_at") == "2026-04-13T12:00:04Z");  // seq 14's ts
  CHECK(r.is_null("/pending_control"));
  CHECK(r.text("/sandbox/provider") == "local");
  CHECK(r.text("/checkpoint/current_node") == "work");
  CHECK(r.text("/checkpoint/timestamp") == "2026-04-13T12:00:03Z");
  uint64_t seq = 0;
  REQUIRE_FALSE(r.root.at_pointer("/checkpoints/0/0").get(seq));
  CHECK(seq == 13);
  CHECK(r.text("/conclusion/status") == "success");
  CHECK(r.text("/nodes/work@1/status/status") == "success");
  CHECK(r.text("/nodes/work@1/stdout") == "hi\n");
  CHECK(r.text("/nodes/work@1/script_invocation/script") == "echo hi");
  CHECK(r.is_null("/nodes/work@1/prompt"));
}

TEST_CASE("controls and questions and LLM stages project as Fabro's store folds them", "[model]") {
  run_projection p(kRun);
  REQUIRE(p.apply(env(1, "run.running", "{}")));
  REQUIRE(p.apply(env(2, "run.pause.requested", R"({"action":"pause"})")));
  {
    parsed r(p.json(nullptr));
    CHECK(r.text("/pending_control") == "pause");
    CHECK(r.is_null("/run"));
    CHECK(r.is_null("/graph_source"));
  }
  REQUIRE(p.apply(env(3, "run.paused", "{}")));
  REQUIRE(p.apply(env(4, "stage.prompt", R"({"visit":2,"text":"Plan it","mode":"prompt","provider":"anthropic","model":"m"})",
                      ",\"node_id\":\"plan\"")));
  REQUIRE(p.apply(env(5, "prompt.completed", R"({"response":"done","model":"m","provider":"anthropic"})",
                      ",\"node_id\":\"plan\"")));
  REQUIRE(p.apply(env(6, "interview.started",
                      R"({"question_id":"gate-1","question":"Ship?","stage":"gate","question_type":"multiple_choice","options":[{"key":"Y","label":"Yes"}],"allow_freeform":false})")));
  REQUIRE(p.apply(env(7, "interview.started",
                      R"({"question_id":"gate-2","question":"Again?","stage":"gate","question_type":"yes_no"})")));
  REQUIRE(p.apply(env(8, "interview.completed", R"({"question_id":"gate-1","question":"Ship?","answer":"Y","duration_ms":3})")));
  REQUIRE(p.apply(env(9, "stage.failed", R"({"will_retry":false,"failure":{"message":"boom","failure_class":"deterministic"}})",
                      stage("gate@1"))));
  REQUIRE(p.apply(env(10, "pull_request.created", R"({"pr_url":"https://x/1","pr_number":1,"owner":"o","repo":"r","base_branch":"main","head_branch":"h","title":"t","draft":false})")));
  REQUIRE(p.apply(env(11, "some.future.event", R"({"anything":[1,2]})")));
  auto json = p.json(nullptr);
  CHECK(schema_errors(json).empty());
  parsed r(json);
  CHECK(r.is_null("/pending_control"));  // cleared by run.paused
  CHECK(r.text("/status/status") == "paused");
  CHECK(r.text("/nodes/plan@2/prompt") == "Plan it");
  CHECK(r.text("/nodes/plan@2/response") == "done");
  CHECK(r.text("/nodes/plan@2/provider_used/provider") == "anthropic");
  CHECK(r.text("/pending_interviews/gate-2/question/question_type") == "yes_no");
  CHECK(r.text("/pending_interviews/gate-2/started_at") == "2026-04-13T12:00:07Z");
  CHECK(r.root.at_pointer("/pending_interviews/gate-1").error());  // answered
  CHECK(r.text("/nodes/gate@1/status/status") == "fail");
  CHECK(r.text("/nodes/gate@1/status/failure_reason") == "boom");
  CHECK(r.text("/pull_request/html_url") == "https://x/1");

  REQUIRE(p.apply(env(12, "run.failed", R"({"error":"boom","duration_ms":9,"reason":"workflow_error"})")));
  parsed end(p.json(nullptr));
  CHECK(end.text("/status/status") == "failed");
  CHECK(end.text("/conclusion/failure_reason") == "boom");
  CHECK(end.root.at_pointer("/pending_interviews/gate-2").error());  // cleared at the end
}

TEST_CASE("a stored event that is not an envelope is store_damaged and changes nothing",
          "[model]") {
  run_projection p(kRun);
  REQUIRE(p.apply(env(1, "run.running", "{}")));
  auto before = p.json(nullptr);
  for (const char* bad : {"not json", "[1,2]", "{\"seq\":2}", "{\"event\":7}"}) {
    auto r = p.apply(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::store_damaged);
  }
  CHECK(p.json(nullptr) == before);
}

TEST_CASE("checkpoint deltas fold into whole checkpoints in the projection", "[model]") {
  run_projection p(kRun);
  REQUIRE(p.apply(env(1, "checkpoint.completed",
                      R"({"current_node":"a","next_node_id":"b","completed_nodes":["a"],"node_retries":{},"node_visits":{"a":1},"node_outcomes":{"a":"succeeded"},"loop_failure_signatures":{}})",
                      stage("a@1"))));
  REQUIRE(p.apply(env(2, "checkpoint.completed",
                      R"({"delta":true,"current_node":"b","next_node_id":null,"completed_nodes":["b"],"node_retries":{"b":1},"node_visits":{"b":1},"node_outcomes":{"b":"failed"},"loop_failure_signatures":{}})",
                      stage("b@1"))));
  parsed r(p.json(nullptr));
  CHECK(r.text("/checkpoint/current_node") == "b");
  CHECK(r.text("/checkpoint/completed_nodes/0") == "a");
  CHECK(r.text("/checkpoint/completed_nodes/1") == "b");
  CHECK(r.text("/checkpoint/node_outcomes/a") == "succeeded");
  CHECK(r.text("/checkpoint/node_outcomes/b") == "failed");
  CHECK(r.text("/checkpoints/1/1/completed_nodes/1") == "b");
  CHECK(r.text("/checkpoints/0/1/next_node_id") == "b");
  simdjson::dom::array first;
  REQUIRE_FALSE(r.root.at_pointer("/checkpoints/0/1/completed_nodes").get(first));
  CHECK(first.size() == 1);
}
