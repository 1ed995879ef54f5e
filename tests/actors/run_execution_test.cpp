// Run actors executing real workflows end to end (issue 4): exact event
// sequences, final status and reason, checkpoints and stored output.
#include <fstream>
#include <signal.h>

#include "tests/actors/execution_harness.hpp"

using namespace fabro;
using namespace fabro::testing;
using model::run_status;
using model::status_reason;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a command pipeline runs for real and completes with every step in the log",
          "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph P { graph [goal="pipe"]
      start [shape=Mdiamond] exit [shape=Msquare]
      make [shape=parallelogram, script="echo one > out.txt"]
      use [shape=parallelogram, script="cat out.txt; echo two; echo warn >&2"]
      start -> make -> use -> exit })", dir.str()));
  auto r = h.finish(id);
  CHECK(r.status == run_status::completed);
  CHECK(r.reason == status_reason::completed);
  CHECK(r.error_message.empty());
  CHECK(r.start_time_ms > 0);
  CHECK(r.duration_ms >= 0);
  CHECK(h.events(id) == concat({real_prologue(), noop_stage("start"), command_stage("make"),
                                command_stage("use"),
                                {"stage.started exit", "stage.completed exit", "run.completed"}}));
  CHECK(read_file(dir.path / "out.txt") == "one\n");
  auto out = h.store->load_artifact(id, "stages/use@1/attempt-1/stdout");
  REQUIRE(out->has_value());
  CHECK(**out == "one\ntwo\n");
  CHECK(**h.store->load_artifact(id, "stages/use@1/attempt-1/stderr") == "warn\n");
  auto cp = h.store->load_checkpoint(id);
  REQUIRE(cp->has_value());
  CHECK((*cp)->find("\"current_node\":\"use\",\"next_node_id\":\"exit\"") != std::string::npos);
  CHECK((*cp)->find("\"command.output\":\"one\\ntwo\\n\"") != std::string::npos);
  auto env = h.envelopes(id);
  auto completed = env[env.size() - 7];  // command.completed of `use`
  CHECK(completed.find("\"exit_code\":0") != std::string::npos);
  CHECK(completed.find("\"stdout_tail\":\"one\\ntwo\\n\"") != std::string::npos);
  CHECK(env.back().find("\"status\":\"success\",\"reason\":\"completed\"") != std::string::npos);
}

TEST_CASE("a dry run simulates every stage: no command runs and there is no notice",
          "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph D { start [shape=Mdiamond] exit [shape=Msquare]
      make [shape=parallelogram, script="touch made"] start -> make -> exit })",
                                      dir.str(), {true, false}));
  CHECK(h.finish(id).status == run_status::completed);
  CHECK_FALSE(std::filesystem::exists(dir.path / "made"));
  CHECK(h.events(id) == concat({{"run.created", "run.submitted", "run.queued", "run.starting",
                                 "sandbox.initializing", "sandbox.ready", "sandbox.initialized",
                                 "run.started", "run.running"},
                                noop_stage("start"), noop_stage("make"),
                                {"stage.started exit", "stage.completed exit", "run.completed"}}));
}

TEST_CASE("conditional edges route on command output", "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph C { start [shape=Mdiamond] exit [shape=Msquare]
      check [shape=parallelogram, script="printf ok"]
      decide [shape=diamond]
      yes [shape=parallelogram, script="touch yes"] no [shape=parallelogram, script="touch no"]
      start -> check -> decide
      decide -> yes [condition="context.command.output=ok"]  decide -> no
      yes -> exit  no -> exit })", dir.str()));
  CHECK(h.finish(id).status == run_status::completed);
  CHECK(h.events(id) == concat({real_prologue(), noop_stage("start"), command_stage("check"),
                                noop_stage("decide"), command_stage("yes"),
                                {"stage.started exit", "stage.completed exit", "run.completed"}}));
  CHECK(std::filesystem::exists(dir.path / "yes"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "no"));
}

TEST_CASE("a human gate with auto-approve takes the first option without blocking",
          "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph H { start [shape=Mdiamond] exit [shape=Msquare]
      ask [shape=hexagon, label="Ship it?"]
      ship [shape=parallelogram, script="touch shipped"] hold [shape=parallelogram, script="touch held"]
      start -> ask  ask -> ship [label="[S] Ship"]  ask -> hold [label="Hold"]
      ship -> exit  hold -> exit })", dir.str(), {false, true}));
  CHECK(h.finish(id).status == run_status::completed);
  CHECK(h.events(id) == concat({real_prologue(), noop_stage("start"), noop_stage("ask"),
                                command_stage("ship"),
                                {"stage.started exit", "stage.completed exit", "run.completed"}}));
  CHECK(std::filesystem::exists(dir.path / "shipped"));
}

TEST_CASE("without auto-approve a human gate blocks the running run until answered",
          "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph H { start [shape=Mdiamond] exit [shape=Msquare]
      ask [shape=hexagon, label="Ship it?"]
      ship [shape=parallelogram, script="touch shipped"] hold [shape=parallelogram, script="touch held"]
      start -> ask  ask -> ship [label="[S] Ship"]  ask -> hold [label="Hold"]
      ship -> exit  hold -> exit })", dir.str()));
  REQUIRE(h.eventually([&] {
    auto ev = h.events(id);
    return !ev.empty() && ev.back() == "interview.started ask";
  }));
  CHECK(h.get(id).status == run_status::running);
  // Fabro's InterviewStartedProps: options with keys taken from the labels.
  auto started = h.envelopes(id).back();
  CHECK(started.find("\"stage\":\"ask\",\"question_type\":\"multiple_choice\","
                     "\"options\":[{\"key\":\"S\",\"label\":\"[S] Ship\"},"
                     "{\"key\":\"H\",\"label\":\"Hold\"}],\"allow_freeform\":false") !=
        std::string::npos);
  using kind = model::human_answer::kind;
  auto wrong = h.ask<model::run_record>(actors::answer_atom::value, id, std::string("nope-1"),
                                        model::human_answer{kind::key, "H", {}});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == model::errc::conflict);
  CHECK(wrong.error().detail == "Question no longer exists or was already answered.");
  auto bad = h.ask<model::run_record>(actors::answer_atom::value, id, std::string("ask-1"),
                                      model::human_answer{kind::key, "X", {}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail == "Invalid option key.");
  auto text = h.ask<model::run_record>(actors::answer_atom::value, id, std::string("ask-1"),
                                       model::human_answer{kind::value, "Hold", {}});
  REQUIRE_FALSE(text);  // no freeform edge: a multiple_choice question takes a key
  CHECK(text.error().detail == "Answer does not match question type.");
  auto ok = h.ask<model::run_record>(actors::answer_atom::value, id, std::string("ask-1"),
                                     model::human_answer{kind::key, "H", {}});
  REQUIRE(ok);
  CHECK(h.finish(id).status == run_status::completed);
  CHECK(h.events(id) ==
        concat({real_prologue(), noop_stage("start"),
                {"stage.started ask", "run.blocked ask", "interview.started ask",
                 "interview.completed ask", "run.unblocked ask", "stage.completed ask",
                 "edge.selected ask", "checkpoint.completed ask"},
                command_stage("hold"),
                {"stage.started exit", "stage.completed exit", "run.completed"}}));
  CHECK(std::filesystem::exists(dir.path / "held"));
}

TEST_CASE("a parallel fan-out runs every branch, then fans in at the join", "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph F { start [shape=Mdiamond] exit [shape=Msquare]
      fork [shape=component]
      a [shape=parallelogram, script="touch a"] b [shape=parallelogram, script="touch b"]
      merge [shape=tripleoctagon]
      start -> fork  fork -> a  fork -> b  a -> merge  b -> merge  merge -> exit })",
                                      dir.str()));
  CHECK(h.finish(id).status == run_status::completed);
  CHECK(h.events(id) ==
        concat({real_prologue(), noop_stage("start"),
                {"stage.started fork", "parallel.started fork", "parallel.branch.started fork",
                 "command.started a", "command.completed a", "parallel.branch.completed fork",
                 "parallel.branch.started fork", "command.started b", "command.completed b",
                 "parallel.branch.completed fork", "parallel.completed fork",
                 "stage.completed fork", "edge.selected fork", "checkpoint.completed fork"},
                noop_stage("merge"),
                {"stage.started exit", "stage.completed exit", "run.completed"}}));
  CHECK(std::filesystem::exists(dir.path / "a"));
  CHECK(std::filesystem::exists(dir.path / "b"));
  CHECK((**h.store->load_checkpoint(id)).find("\"parallel.fan_in.best_id\":\"a\"") !=
        std::string::npos);
}

TEST_CASE("a failing goal gate loops through its retry target until the circuit breaker "
          "ends the run with workflow_error", "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
      check [shape=parallelogram, script="echo checking; exit 3", goal_gate=true, retry_target="fix"]
      fix [shape=parallelogram, script="echo fixing >> log"]
      start -> check -> exit  fix -> check })", dir.str()));
  auto r = h.finish(id);
  CHECK(r.status == run_status::failed);
  CHECK(r.reason == status_reason::workflow_error);
  CHECK(r.error_message.find("deterministic failure cycle detected: signature "
                             "check|deterministic|script failed with exit code: <n>") == 0);
  CHECK(r.error_message.find("repeated 3 times (limit 3)") != std::string::npos);
  auto failed_check = std::vector<std::string>{
      "stage.started check", "command.started check", "command.completed check",
      "stage.failed check", "edge.selected check", "checkpoint.completed check"};
  CHECK(h.events(id) ==
        concat({real_prologue(), noop_stage("start"), failed_check, command_stage("fix"),
                failed_check, command_stage("fix"),
                {"stage.started check", "command.started check", "command.completed check",
                 "stage.failed check", "run.failed"}}));
  CHECK(read_file(dir.path / "log") == "fixing\nfixing\n");
  CHECK(h.envelopes(id).back().find("\"reason\":\"workflow_error\"") != std::string::npos);
}

TEST_CASE("a command that times out is killed and retried, then fails the run",
          "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph T { start [shape=Mdiamond] exit [shape=Msquare]
      slow [shape=parallelogram, script="echo try >> tries; sleep 30", timeout="200ms",
            retry_policy="linear", goal_gate=true]
      start -> slow -> exit })", dir.str()));
  auto r = h.finish(id);
  CHECK(r.status == run_status::failed);
  CHECK(r.reason == status_reason::workflow_error);
  CHECK(r.error_message == "goal gate unsatisfied for node slow and no retry target");
  auto attempt = std::vector<std::string>{"stage.started slow", "command.started slow",
                                          "command.completed slow", "stage.failed slow"};
  CHECK(h.events(id) == concat({real_prologue(), noop_stage("start"), attempt,
                                {"stage.retrying slow"}, attempt, {"stage.retrying slow"},
                                attempt, {"edge.selected slow", "checkpoint.completed slow",
                                          "run.failed"}}));
  CHECK(read_file(dir.path / "tries") == "try\ntry\ntry\n");
  auto env = h.envelopes(id);
  bool saw_timeout = false, saw_retry = false;
  for (const auto& e : env) {
    saw_timeout |= e.find("\"termination\":\"timed_out\"") != std::string::npos;
    saw_retry |= e.find("\"will_retry\":true") != std::string::npos &&
                 e.find("Script timed out after 200ms") != std::string::npos;
  }
  CHECK(saw_timeout);
  CHECK(saw_retry);
  CHECK((**h.store->load_checkpoint(id)).find("\"node_retries\":{\"slow\":2}") !=
        std::string::npos);
}

TEST_CASE("a wait stage sleeps for real and then continues", "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph W { start [shape=Mdiamond] exit [shape=Msquare]
      pause [shape=insulator, duration="50ms"] start -> pause -> exit })", dir.str()));
  auto r = h.finish(id);
  CHECK(r.status == run_status::completed);
  CHECK(r.duration_ms >= 50);
}

TEST_CASE("a missing working directory fails the run with bootstrap_failed", "[actors][exec]") {
  exec_harness h;
  auto id = h.start(workflow_manifest(R"(digraph M { start [shape=Mdiamond] exit [shape=Msquare]
      start -> exit })", "/nonexistent/fabro/dir"));
  auto r = h.finish(id);
  CHECK(r.status == run_status::failed);
  CHECK(r.reason == status_reason::bootstrap_failed);
  CHECK(r.error_message == "Working directory does not exist: /nonexistent/fabro/dir");
  CHECK(h.events(id) == std::vector<std::string>{"run.created", "run.submitted", "run.queued", "run.starting",
                                                 "run.failed"});
}

TEST_CASE("a server without the local sandbox fails real runs with launch_failed",
          "[actors][exec]") {
  exec_harness h(false);
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph L { start [shape=Mdiamond] exit [shape=Msquare]
      start -> exit })", dir.str()));
  auto r = h.finish(id);
  CHECK(r.status == run_status::failed);
  CHECK(r.reason == status_reason::launch_failed);
  CHECK(r.error_message.find("local sandbox is disabled") != std::string::npos);
  auto dry = h.start(workflow_manifest(R"(digraph L { start [shape=Mdiamond] exit [shape=Msquare]
      start -> exit })", dir.str(), {true, false}));
  CHECK(h.finish(dry).status == run_status::completed);
}

TEST_CASE("only a submitted run can start", "[actors][exec]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph S { start [shape=Mdiamond] exit [shape=Msquare]
      start -> exit })", dir.str(), {true, false}));
  auto again = h.ask<model::run_record>(actors::start_atom::value, id);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == model::errc::conflict);
  h.finish(id);
  auto finished = h.ask<model::run_record>(actors::start_atom::value, id);
  REQUIRE_FALSE(finished);
  CHECK(finished.error().code == model::errc::conflict);
  auto unknown = h.ask<model::run_record>(actors::start_atom::value,
                                          std::string("01JRZ3NDEKTSV4RRFFQ69G5FAV"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == model::errc::run_not_found);
}
