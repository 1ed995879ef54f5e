#include "model/run_json.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <string>
#include <vector>

using namespace fabro::model;

namespace {

const char* const kId = "01JRZ3NDEKTSV4RRFFQ69G5FAV";

// A run as it is right after POST /api/v1/runs.
run_record submitted_run() {
  run_record r;
  r.id = kId;
  r.status = run_status::submitted;
  r.created_at_ms = 1776083696789;  // 2026-04-13T12:34:56.789Z
  r.workflow_name = "Smoke";
  r.goal = "Add rate limiting";
  r.labels = {{"team", "infra"}};
  r.host_repo_path = "/home/dev/app";
  return r;
}

// The keys of a JSON object, in order. REQUIRES: `json` is an object.
std::vector<std::string> keys_of(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::object obj = p.parse(json).get_object().value();
  std::vector<std::string> keys;
  for (auto field : obj) keys.emplace_back(field.key);
  return keys;
}

bool is_valid_json(const std::string& json) {
  simdjson::dom::parser p;
  return !p.parse(json).error();
}

}  // namespace

// ------------------------------------------------------- RunStatusResponse

TEST_CASE("a submitted run's status response has only id, status and created_at", "[model]") {
  CHECK(status_response_json(submitted_run()) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted",)"
        R"("created_at":"2026-04-13T12:34:56.789Z"})");
}

TEST_CASE("created_at has no fraction when the milliseconds are zero", "[model]") {
  auto r = submitted_run();
  r.created_at_ms = 1776083696000;
  CHECK(status_response_json(r).find(R"("created_at":"2026-04-13T12:34:56Z")") !=
        std::string::npos);
}

TEST_CASE("a queued run's status response shows its queue position", "[model]") {
  auto r = submitted_run();
  r.status = run_status::queued;
  r.queue_position = 3;
  CHECK(status_response_json(r) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"queued",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","queue_position":3})");
}

TEST_CASE("queue_position is shown only while the run is queued", "[model]") {
  auto r = submitted_run();
  r.queue_position = 2;  // stale value on a run that left the queue
  for (auto s : {run_status::submitted, run_status::starting, run_status::running,
                 run_status::paused, run_status::completed, run_status::failed,
                 run_status::cancelled}) {
    r.status = s;
    INFO(to_string(s));
    CHECK(status_response_json(r).find("queue_position") == std::string::npos);
    CHECK(summary_json(r).find("queue_position") == std::string::npos);
  }
}

TEST_CASE("a queued run without a known position omits queue_position", "[model]") {
  auto r = submitted_run();
  r.status = run_status::queued;
  r.queue_position = 0;
  CHECK(status_response_json(r).find("queue_position") == std::string::npos);
}

TEST_CASE("status_reason, pending_control and error appear only when set", "[model]") {
  auto r = submitted_run();
  r.status = run_status::running;
  r.pending_control = control_action::cancel;
  CHECK(status_response_json(r) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"running",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","pending_control":"cancel"})");

  r.status = run_status::cancelled;
  r.pending_control = control_action::none;
  r.reason = status_reason::cancelled;
  CHECK(status_response_json(r) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"cancelled",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","status_reason":"cancelled"})");

  r.status = run_status::failed;
  r.reason = status_reason::terminated;
  r.error_message = "server restarted";
  CHECK(status_response_json(r) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"failed",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","error":{"message":"server restarted"},)"
        R"("status_reason":"terminated"})");
}

TEST_CASE("the status response never carries null values", "[model]") {
  auto r = submitted_run();
  CHECK(status_response_json(r).find("null") == std::string::npos);
  r.status = run_status::paused;
  r.pending_control = control_action::unpause;
  CHECK(status_response_json(r).find("null") == std::string::npos);
}

TEST_CASE("an error message is escaped in the status response", "[model]") {
  auto r = submitted_run();
  r.status = run_status::failed;
  r.error_message = "bad \"quote\"\n";
  auto json = status_response_json(r);
  CHECK(is_valid_json(json));
  CHECK(json.find(R"("error":{"message":"bad \"quote\"\n"})") != std::string::npos);
}

// ---------------------------------------------------------------- summary

TEST_CASE("a run summary has every StoreRunSummary key, null when unknown", "[model]") {
  run_record r;
  r.id = kId;
  r.created_at_ms = 1776083696789;
  CHECK(summary_json(r) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","run_id":"01JRZ3NDEKTSV4RRFFQ69G5FAV",)"
        R"("workflow_name":null,"workflow_slug":null,"goal":null,"labels":{},)"
        R"("host_repo_path":null,"start_time":null,"status_reason":null,)"
        R"("pending_control":null,"duration_ms":null,"total_usd_micros":null})");
}

TEST_CASE("a run summary is a superset of the status response", "[model]") {
  auto keys = keys_of(summary_json(submitted_run()));
  const std::vector<std::string> expected = {
      "id",           "status",         "created_at",    "run_id",
      "workflow_name", "workflow_slug", "goal",          "labels",
      "host_repo_path", "start_time",   "status_reason", "pending_control",
      "duration_ms",  "total_usd_micros"};
  CHECK(keys == expected);
}

TEST_CASE("a submitted run's summary shows what the manifest said", "[model]") {
  CHECK(summary_json(submitted_run()) ==
        R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted",)"
        R"("created_at":"2026-04-13T12:34:56.789Z","run_id":"01JRZ3NDEKTSV4RRFFQ69G5FAV",)"
        R"("workflow_name":"Smoke","workflow_slug":null,"goal":"Add rate limiting",)"
        R"("labels":{"team":"infra"},"host_repo_path":"/home/dev/app","start_time":null,)"
        R"("status_reason":null,"pending_control":null,"duration_ms":null,)"
        R"("total_usd_micros":null})");
}

TEST_CASE("a finished run's summary shows start time, duration and reason", "[model]") {
  auto r = submitted_run();
  r.status = run_status::completed;
  r.reason = status_reason::completed;
  r.start_time_ms = 1776083700000;
  r.duration_ms = 0;  // zero is a known duration, not null
  auto json = summary_json(r);
  CHECK(json.find(R"("start_time":"2026-04-13T12:35:00Z")") != std::string::npos);
  CHECK(json.find(R"("status_reason":"completed")") != std::string::npos);
  CHECK(json.find(R"("pending_control":null)") != std::string::npos);
  CHECK(json.find(R"("duration_ms":0)") != std::string::npos);
  CHECK(json.find(R"("status":"completed")") != std::string::npos);
}

TEST_CASE("a cancelled run's summary uses the single status vocabulary", "[model]") {
  auto r = submitted_run();
  r.status = run_status::cancelled;
  r.reason = status_reason::cancelled;
  r.duration_ms = 0;
  auto json = summary_json(r);
  CHECK(json.find(R"("status":"cancelled")") != std::string::npos);
  CHECK(json.find(R"("status_reason":"cancelled")") != std::string::npos);
}

TEST_CASE("a running run's summary shows its pending control", "[model]") {
  auto r = submitted_run();
  r.status = run_status::running;
  r.start_time_ms = 1776083700000;
  r.pending_control = control_action::pause;
  auto json = summary_json(r);
  CHECK(json.find(R"("pending_control":"pause")") != std::string::npos);
  CHECK(json.find(R"("duration_ms":null)") != std::string::npos);
}

TEST_CASE("a queued run's summary shows its queue position", "[model]") {
  auto r = submitted_run();
  r.status = run_status::queued;
  r.queue_position = 1;
  auto keys = keys_of(summary_json(r));
  REQUIRE(keys.size() == 15);
  CHECK(keys[3] == "queue_position");
  CHECK(summary_json(r).find(R"("queue_position":1)") != std::string::npos);
}

TEST_CASE("labels and strings in a summary are escaped", "[model]") {
  auto r = submitted_run();
  r.labels = {{"a\"b", "c\\d"}, {"k", ""}};
  r.goal = "line1\nline2";
  auto json = summary_json(r);
  CHECK(is_valid_json(json));
  CHECK(json.find(R"("labels":{"a\"b":"c\\d","k":""})") != std::string::npos);
  CHECK(json.find(R"("goal":"line1\nline2")") != std::string::npos);
}

TEST_CASE("write_summary writes the same object as summary_json", "[model]") {
  auto r = submitted_run();
  json_writer w;
  w.begin_array();
  write_summary(w, r);
  write_summary(w, r);
  w.end_array();
  CHECK(w.str() == "[" + summary_json(r) + "," + summary_json(r) + "]");
}

// ------------------------------------------------------------------- pages

TEST_CASE("a page wraps its items in data and says whether more exist", "[model]") {
  CHECK(page_json({}, false) == R"({"data":[],"meta":{"has_more":false}})");
  CHECK(page_json({R"({"a":1})", "2"}, true) ==
        R"({"data":[{"a":1},2],"meta":{"has_more":true}})");
}

TEST_CASE("a page of run summaries is valid JSON", "[model]") {
  auto json = page_json({summary_json(submitted_run()), summary_json(submitted_run())}, true);
  simdjson::dom::parser p;
  auto doc = p.parse(json);
  REQUIRE_FALSE(doc.error());
  CHECK(doc["data"].get_array().size() == 2);
  CHECK(doc["meta"]["has_more"].get_bool().value() == true);
}
