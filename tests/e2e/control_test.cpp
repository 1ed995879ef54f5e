// Start, cancel, pause, unpause and delete over HTTP against the real
// binary (reference §4.6, §11 "Queue / start" and "Control"; DESIGN §4).
// Runs execute real command stages (dry_run=false, local sandbox on) that
// sleep, so "running" means a live process group.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "model/json_writer.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/sse_client.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

const std::string kUnknownId = "01JRZ3NDEKTSV4RRFFQ69G5FAV";




bool is_error(const http_response& r, int status, const std::string& detail) {
  return r.status == status && json_string_field(r.body, "status") == std::to_string(status) &&
         json_string_field(r.body, "detail") == detail;
}

struct server {
  temp_dir dir;
  server_process proc;
  explicit server(std::vector<std::string> args = {}) : proc(dir.path + "/data", std::move(args)) {}
  uint16_t port() const { return proc.port(); }

  http_response post(const std::string& path, const std::string& body = "",
                     const std::string& headers = "") {
    return http_request(port(), "POST", path, body, headers);
  }
  std::string create(const std::string& manifest = minimal_manifest()) {
    return json_string_field(post("/api/v1/runs", manifest).body, "id");
  }
  // A run whose command stage touches `started` in its own directory and
  // then sleeps; returns its id once the command really runs.
  std::string running_run(const std::string& script = "touch started; sleep 30") {
    auto cwd = dir.path + "/run-" + std::to_string(++runs_);
    std::filesystem::create_directories(cwd);
    auto id = create(exec_manifest(command_workflow(script), cwd));
    REQUIRE(post("/api/v1/runs/" + id + "/start").status == 200);
    REQUIRE(eventually([&] { return std::filesystem::exists(cwd + "/started"); }));
    REQUIRE(eventually([&] { return status(id) == "running"; }));
    last_cwd = cwd;
    return id;
  }
  http_response control(const std::string& id, const std::string& action) {
    return post("/api/v1/runs/" + id + "/" + action);
  }
  http_response get(const std::string& id) {
    return http_request(port(), "GET", "/api/v1/runs/" + id);
  }
  std::string status(const std::string& id) { return json_string_field(get(id).body, "status"); }
  bool reaches(const std::string& id, const std::string& want,
               std::chrono::milliseconds limit = 20s) {
    return eventually([&] { return status(id) == want; }, limit);
  }
  // The run's event envelopes, in seq order.
  std::vector<std::string> envelopes(const std::string& id) {
    return data_items(http_request(port(), "GET", "/api/v1/runs/" + id + "/events?limit=1000").body);
  }
  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> names;
    for (const auto& e : envelopes(id)) names.push_back(json_string_field(e, "event"));
    return names;
  }
  std::string last_cwd;

 private:
  int runs_ = 0;
};

size_t count(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), x));
}

}  // namespace

// ---- start ---------------------------------------------------------------

TEST_CASE("start queues a submitted run with its position, a second start is 409", "[e2e]") {
  server s({"--max-concurrent-runs", "0"});
  REQUIRE(s.proc.started());
  auto id = s.create();
  auto r = s.post("/api/v1/runs/" + id + "/start");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "id") == id);
  CHECK(json_string_field(r.body, "status") == "queued");
  CHECK(r.body.find("\"queue_position\":1") != std::string::npos);
  CHECK(is_error(s.post("/api/v1/runs/" + id + "/start"), 409,
                 "an engine process is still running for this run — cannot start"));
  CHECK(s.get(id).body.find("\"queue_position\":1") != std::string::npos);
  CHECK(count(s.events(id), "run.queued") == 1);
}

TEST_CASE("start of an unknown run is 404 and of a malformed id 400", "[e2e]") {
  server s;
  CHECK(is_error(s.post("/api/v1/runs/" + kUnknownId + "/start"), 404, "Run not found."));
  CHECK(is_error(s.post("/api/v1/runs/not-a-ulid/start"), 400, "Invalid run ID."));
  for (auto action : {"cancel", "pause", "unpause"}) {
    INFO(action);
    CHECK(is_error(s.control(kUnknownId, action), 404, "Run not found."));
    CHECK(is_error(s.control("nope", action), 400, "Invalid run ID."));
  }
}

TEST_CASE("the start body is read only with a Content-Type, resume needs a checkpoint",
          "[e2e]") {
  server s({"--max-concurrent-runs", "0"});
  const std::string json = "Content-Type: application/json\r\n";
  auto id = s.create();
  CHECK(is_error(s.post("/api/v1/runs/" + id + "/start", "{\"resume\":true}", json), 409,
                 "no checkpoint to resume from"));
  CHECK(s.post("/api/v1/runs/" + id + "/start", "{not json", json).status == 400);
  CHECK(s.post("/api/v1/runs/" + id + "/start", "{\"resume\":\"yes\"}", json).status == 400);
  CHECK(s.status(id) == "submitted");
  // Without a Content-Type the body is not read at all.
  auto r = s.post("/api/v1/runs/" + id + "/start", "{not json");
  CHECK(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "queued");

  auto second = s.create(minimal_manifest("01JRZ3NDEKTSV4RRFFQ69G5FAW"));
  r = s.post("/api/v1/runs/" + second + "/start", "{\"resume\":false}", json);
  CHECK(r.status == 200);
  CHECK(r.body.find("\"queue_position\":2") != std::string::npos);
}

TEST_CASE("start of a finished run is 409 naming its status", "[e2e]") {
  server s;
  auto id = s.create();
  REQUIRE(s.control(id, "cancel").status == 200);
  auto r = s.post("/api/v1/runs/" + id + "/start");
  CHECK(r.status == 409);
  auto detail = json_string_field(r.body, "detail");
  CHECK(detail.rfind("cannot start run: status is ", 0) == 0);
  CHECK(detail.find(", expected submitted") != std::string::npos);
}

TEST_CASE("POST /runs?start=true creates and queues in one request", "[e2e]") {
  server s({"--max-concurrent-runs", "0"});
  auto r = s.post("/api/v1/runs?start=true", minimal_manifest());
  REQUIRE(r.status == 201);
  CHECK(json_string_field(r.body, "status") == "queued");
  CHECK(r.body.find("\"queue_position\":1") != std::string::npos);
  auto id = json_string_field(r.body, "id");
  CHECK(json_string_field(s.get(id).body, "status") == "queued");
  CHECK(s.events(id) == std::vector<std::string>{"run.created", "run.submitted", "run.queued"});
  // Plain POST stays submitted.
  CHECK(json_string_field(s.post("/api/v1/runs", minimal_manifest()).body, "status") ==
        "submitted");
  CHECK(s.post("/api/v1/runs?start=maybe", minimal_manifest()).status == 400);
}

// ---- cancel ----------------------------------------------------------------

TEST_CASE("cancelling a submitted run ends it cancelled with the requested and failed events",
          "[e2e]") {
  server s;
  auto id = s.create();
  auto r = s.control(id, "cancel");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "cancelled");
  CHECK(json_string_field(r.body, "status_reason") == "cancelled");
  CHECK(r.body.find("pending_control") == std::string::npos);
  auto g = s.get(id).body;
  CHECK(json_string_field(g, "status") == "cancelled");
  CHECK(json_string_field(g, "status_reason") == "cancelled");
  CHECK(g.find("\"pending_control\":null") != std::string::npos);
  auto env = s.envelopes(id);
  REQUIRE(env.size() >= 2);
  CHECK(json_string_field(env[env.size() - 2], "event") == "run.cancel.requested");
  CHECK(env[env.size() - 2].find("\"actor\":{\"kind\":\"user\",\"id\":\"dev\",\"display\":\"dev\"}") !=
        std::string::npos);
  CHECK(json_string_field(env.back(), "event") == "run.failed");
  CHECK(env.back().find("\"reason\":\"cancelled\"") != std::string::npos);
  CHECK(env.back().find("Pipeline cancelled") != std::string::npos);
  // Terminal now: every control is 409.
  CHECK(is_error(s.control(id, "cancel"), 409, "Run is not cancellable."));
  CHECK(is_error(s.control(id, "pause"), 409, "Run is not pausable."));
  CHECK(is_error(s.control(id, "unpause"), 409, "Run is not paused."));
}

TEST_CASE("cancelling a queued run ends it cancelled and it never starts", "[e2e]") {
  server s({"--max-concurrent-runs", "0"});
  auto id = s.create();
  REQUIRE(s.post("/api/v1/runs/" + id + "/start").status == 200);
  auto r = s.control(id, "cancel");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "cancelled");
  CHECK(json_string_field(r.body, "status_reason") == "cancelled");
  CHECK(r.body.find("queue_position") == std::string::npos);
  auto ev = s.events(id);
  CHECK(count(ev, "run.starting") == 0);
  CHECK(ev.back() == "run.failed");
  CHECK(count(ev, "run.cancel.requested") == 1);
}

TEST_CASE("submitted and queued runs are neither pausable nor paused", "[e2e]") {
  server s({"--max-concurrent-runs", "0"});
  auto submitted = s.create();
  CHECK(is_error(s.control(submitted, "pause"), 409, "Run is not pausable."));
  CHECK(is_error(s.control(submitted, "unpause"), 409, "Run is not paused."));
  auto queued = s.create(minimal_manifest("01JRZ3NDEKTSV4RRFFQ69G5FAW"));
  REQUIRE(s.post("/api/v1/runs/" + queued + "/start").status == 200);
  CHECK(is_error(s.control(queued, "pause"), 409, "Run is not pausable."));
  CHECK(is_error(s.control(queued, "unpause"), 409, "Run is not paused."));
  CHECK(s.status(queued) == "queued");
}

TEST_CASE("cancelling a running run answers pending cancel, kills the command, and the "
          "attach stream closes after run.failed", "[e2e]") {
  server s;
  auto id = s.running_run();
  sse_client sse(s.port(), "/api/v1/runs/" + id + "/attach?since_seq=1");
  REQUIRE(sse.status() == 200);
  CHECK(is_error(s.control(id, "unpause"), 409, "Run is not paused."));
  auto r = s.control(id, "cancel");
  REQUIRE(r.status == 200);
  auto st = json_string_field(r.body, "status");
  CHECK((st == "running" || st == "cancelled"));
  if (st == "running") CHECK(json_string_field(r.body, "pending_control") == "cancel");
  // Idempotent while pending (or 409 once it landed).
  auto again = s.control(id, "cancel");
  CHECK((again.status == 200 || is_error(again, 409, "Run is not cancellable.")));
  REQUIRE(s.reaches(id, "cancelled"));
  auto g = s.get(id).body;
  CHECK(json_string_field(g, "status_reason") == "cancelled");
  CHECK(g.find("\"pending_control\":null") != std::string::npos);
  auto ev = s.events(id);
  CHECK(count(ev, "run.cancel.requested") == 1);
  CHECK(ev.back() == "run.failed");
  CHECK(sse.wait_closed(10s));
  REQUIRE_FALSE(sse.frames().empty());
  CHECK(json_string_field(sse.frames().back().data, "event") == "run.failed");
  CHECK(is_error(s.control(id, "cancel"), 409, "Run is not cancellable."));
}

// ---- pause / unpause -------------------------------------------------------

TEST_CASE("pause stops a running command at once and unpause continues it to completion",
          "[e2e]") {
  server s;
  // Ticks every 20 ms, 200 times (4 s or more of work).
  auto id = s.running_run(
      "touch started; for i in $(seq 200); do date +%s%N >> ticks; sleep 0.02; done");
  auto ticks = s.last_cwd + "/ticks";
  auto lines = [&] {
    std::ifstream in(ticks);
    std::vector<long long> out;
    for (long long t; in >> t;) out.push_back(t);
    return out;
  };
  // Pause between ticks, not before the first one (the gap must show).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (lines().size() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  REQUIRE(lines().size() >= 3);
  auto r = s.control(id, "pause");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "running");
  CHECK(json_string_field(r.body, "pending_control") == "pause");
  auto second = s.control(id, "pause");
  CHECK((is_error(second, 409, "Run control request is already pending.") ||
         is_error(second, 409, "Run is not pausable.")));
  REQUIRE(s.reaches(id, "paused", 5s));
  CHECK(s.get(id).body.find("\"pending_control\":null") != std::string::npos);
  CHECK(is_error(s.control(id, "pause"), 409, "Run is not pausable."));
  // Stopped: no tick for a while (this wait is the thing measured).
  auto before = lines().size();
  REQUIRE(before < 200);  // the pause landed inside the command
  std::this_thread::sleep_for(500ms);
  auto during = lines().size();
  CHECK(during <= before + 1);  // at most one write in flight at SIGSTOP

  r = s.control(id, "unpause");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "paused");
  CHECK(json_string_field(r.body, "pending_control") == "unpause");
  REQUIRE(s.reaches(id, "completed", 30s));
  auto t = lines();
  REQUIRE(t.size() == 200);
  long long gap = 0;
  for (size_t i = 1; i < t.size(); ++i) gap = std::max(gap, t[i] - t[i - 1]);
  CHECK(gap >= 450'000'000LL);  // the paused half second shows between two ticks
  auto ev = s.events(id);
  for (auto name : {"run.pause.requested", "run.paused", "run.unpause.requested", "run.unpaused"})
    CHECK(count(ev, name) == 1);
  for (const auto& e : s.envelopes(id))
    if (json_string_field(e, "event") == "run.pause.requested")
      CHECK(e.find("\"actor\":{\"kind\":\"user\",\"id\":\"dev\",\"display\":\"dev\"}") !=
            std::string::npos);
  CHECK(is_error(s.control(id, "unpause"), 409, "Run is not paused."));
  CHECK(is_error(s.control(id, "pause"), 409, "Run is not pausable."));
  CHECK(is_error(s.control(id, "cancel"), 409, "Run is not cancellable."));
}

TEST_CASE("cancel overrides a pending pause, and cancels a paused run", "[e2e]") {
  server s;
  auto id = s.running_run();
  REQUIRE(s.control(id, "pause").status == 200);
  auto r = s.control(id, "cancel");  // pause pending or landed: cancel wins either way
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "pending_control") == "cancel");
  auto st = json_string_field(r.body, "status");
  CHECK((st == "running" || st == "paused"));
  CHECK(is_error(s.control(id, "pause"), 409, st == "paused" ? "Run is not pausable."
                                                           : "Run control request is already pending."));
  REQUIRE(s.reaches(id, "cancelled"));
  CHECK(json_string_field(s.get(id).body, "status_reason") == "cancelled");

  auto paused = s.running_run();
  REQUIRE(s.control(paused, "pause").status == 200);
  REQUIRE(s.reaches(paused, "paused", 5s));
  r = s.control(paused, "cancel");
  REQUIRE(r.status == 200);
  CHECK(json_string_field(r.body, "status") == "paused");
  CHECK(json_string_field(r.body, "pending_control") == "cancel");
  REQUIRE(s.reaches(paused, "cancelled"));
}

TEST_CASE("a paused run gives its slot to the next queued run", "[e2e]") {
  server s({"--max-concurrent-runs", "1"});
  auto first = s.running_run();
  auto cwd = s.dir.path + "/second";
  std::filesystem::create_directories(cwd);
  auto second = s.create(exec_manifest(command_workflow("touch started; sleep 30"), cwd));
  auto r = s.post("/api/v1/runs/" + second + "/start");
  CHECK(r.body.find("\"queue_position\":1") != std::string::npos);
  REQUIRE(s.control(first, "pause").status == 200);
  CHECK(s.reaches(second, "running"));
  CHECK(s.control(first, "cancel").status == 200);
  CHECK(s.control(second, "cancel").status == 200);
  CHECK(s.reaches(first, "cancelled"));
  CHECK(s.reaches(second, "cancelled"));
}

// ---- delete ----------------------------------------------------------------

TEST_CASE("DELETE removes a run, an active one after cancelling it, as Fabro's fabro rm -f "
          "expects", "[e2e]") {
  server s;
  auto id = s.create();
  auto r = http_request(s.port(), "DELETE", "/api/v1/runs/" + id);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(is_error(s.get(id), 404, "Run not found."));
  CHECK(http_request(s.port(), "DELETE", "/api/v1/runs/" + kUnknownId).status == 204);
  CHECK(is_error(http_request(s.port(), "DELETE", "/api/v1/runs/bad-id"), 400, "Invalid run ID."));

  // A plain DELETE of a running run (what `fabro rm -f` sends): its
  // command is terminated, then the run is gone.
  auto active = s.running_run("echo $$ > pid; touch started; sleep 30");
  auto pid = std::stol(read_text(s.last_cwd + "/pid"));
  r = http_request(s.port(), "DELETE", "/api/v1/runs/" + active);
  CHECK(r.status == 204);
  CHECK(s.get(active).status == 404);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/" + active + "/events").status == 404);
  CHECK(eventually([&] { return ::kill(static_cast<pid_t>(pid), 0) != 0; }));
  // ?force=true is still accepted; a queued run goes the same way.
  auto queued = s.create();
  REQUIRE(s.post("/api/v1/runs/" + queued + "/start").status == 200);
  CHECK(http_request(s.port(), "DELETE", "/api/v1/runs/" + queued + "?force=true").status == 204);
  CHECK(s.get(queued).status == 404);
}

TEST_CASE("a human gate is answered by option key with Fabro's SubmitAnswerRequest: 204, and "
          "Fabro's 400 and 409 texts", "[e2e]") {
  server s;
  REQUIRE(s.proc.started());
  auto cwd = s.dir.path + "/gate";
  std::filesystem::create_directories(cwd);
  auto id = s.create(exec_manifest(
      "digraph H { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  ask [shape=hexagon, label=\"Ship it?\"]\n"
      "  ship [shape=parallelogram, script=\"touch shipped\"]\n"
      "  hold [shape=parallelogram, script=\"touch held\"]\n"
      "  start -> ask  ask -> ship [label=\"[S] Ship\"]  ask -> hold [label=\"Hold\"]\n"
      "  ship -> exit  hold -> exit }",
      cwd));
  REQUIRE(s.post("/api/v1/runs/" + id + "/start").status == 200);
  std::string started;
  REQUIRE(eventually([&] {
    auto body = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events?limit=1000").body;
    auto at = body.find("\"event\":\"interview.started\"");
    if (at == std::string::npos) return false;
    started = body.substr(at, 400);
    return true;
  }));
  CHECK(started.find("\"options\":[{\"key\":\"S\",\"label\":\"[S] Ship\"},"
                     "{\"key\":\"H\",\"label\":\"Hold\"}]") != std::string::npos);
  auto qid = json_string_field(started, "question_id");
  // Fabro's listRunQuestions: the open question as an ApiQuestion.
  auto listed = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/questions");
  CHECK(listed.status == 200);
  CHECK(listed.body == "{\"data\":[{\"id\":\"" + qid +
                           "\",\"text\":\"Ship it?\",\"stage\":\"ask\",\"question_type\":"
                           "\"multiple_choice\",\"options\":[{\"key\":\"S\",\"label\":"
                           "\"[S] Ship\"},{\"key\":\"H\",\"label\":\"Hold\"}],"
                           "\"allow_freeform\":false,\"timeout_seconds\":null,"
                           "\"context_display\":null}],\"meta\":{\"has_more\":false}}");
  CHECK(is_error(http_request(s.port(), "GET", "/api/v1/runs/" + kUnknownId + "/questions"), 404,
                 "Run not found."));
  auto answer = [&](const std::string& q, const std::string& body) {
    return s.post("/api/v1/runs/" + id + "/questions/" + q + "/answer", body,
                  "Content-Type: application/json\r\n");
  };
  CHECK(is_error(answer(qid, "{}"), 400,
                 "One of value, selected_option_key, or selected_option_keys is required."));
  CHECK(is_error(answer(qid, "{\"selected_option_key\":\"Z\"}"), 400, "Invalid option key."));
  CHECK(is_error(answer(qid, "{\"value\":\"Hold\"}"), 400, "Answer does not match question type."));
  CHECK(is_error(answer("nope", "{\"selected_option_key\":\"S\"}"), 409,
                 "Question no longer exists or was already answered."));
  auto ok = answer(qid, "{\"selected_option_key\":\"S\"}");
  CHECK(ok.status == 204);
  CHECK(ok.body.empty());
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }));
  CHECK(std::filesystem::exists(cwd + "/shipped"));
  CHECK_FALSE(std::filesystem::exists(cwd + "/held"));
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/" + id + "/questions").body ==
        "{\"data\":[],\"meta\":{\"has_more\":false}}");
  CHECK(is_error(answer(qid, "{\"selected_option_key\":\"S\"}"), 409,
                 "Question no longer exists or was already answered."));
}
