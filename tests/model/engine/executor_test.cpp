// The executor state machine over real .fabro graphs (reference §3.1).
#include "model/engine/executor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <optional>

#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;

namespace {

struct trace {
  std::vector<std::string> events;  // "name node"
  step end;
  std::vector<checkpoint> checkpoints;
  std::vector<std::string> checkpoint_props;  // each checkpoint.completed's properties
};

// Runs to the end; `act` answers every execute step (default: succeeded).
trace run(const std::string& src, executor_options opts,
          std::function<stage_outcome(const stage_request&)> act = nullptr) {
  auto g = load_workflow(src);
  if (!g)
    for (const auto& d : g.error().diagnostics) FAIL_CHECK(d.rule << ": " << d.message);
  REQUIRE(g);
  auto ex = executor::create(*g, std::move(opts));
  REQUIRE(ex);
  trace t;
  auto drain = [&] {
    for (auto& e : ex->take_events()) {
      t.events.push_back(e.event + (e.node_id.empty() ? "" : " " + e.node_id));
      if (e.event == "checkpoint.completed") t.checkpoint_props.push_back(e.properties_json);
    }
    if (auto c = ex->take_checkpoint()) t.checkpoints.push_back(*c);
  };
  auto s = ex->begin();
  s = ex->proceed();
  for (int guard = 0; guard < 1000; ++guard) {
    drain();
    if (s.kind == step_kind::finished) break;
    if (s.kind == step_kind::next) s = ex->proceed();
    else if (s.kind == step_kind::backoff) s = ex->retry();
    else s = ex->complete(act ? act(s.stage) : succeeded_outcome());
  }
  drain();
  t.end = s;
  return t;
}

executor_options dry() {
  executor_options o;
  o.run_id = "R";
  o.dry_run = true;
  return o;
}

executor_options real() {
  executor_options o;
  o.run_id = "R";
  o.jitter = false;
  return o;
}

}  // namespace

TEST_CASE("a dry run of start -> cmd -> exit emits the Appendix A stage sequence",
          "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    cmd [shape=parallelogram, script="echo hi"] start -> cmd -> exit })", dry());
  CHECK(t.end.succeeded);
  CHECK(t.events == std::vector<std::string>{
                        "run.started", "stage.started start", "stage.completed start",
                        "edge.selected start", "checkpoint.completed start",
                        "stage.started cmd", "stage.completed cmd", "edge.selected cmd",
                        "checkpoint.completed cmd", "stage.started exit",
                        "stage.completed exit"});
  REQUIRE(t.checkpoints.size() == 2);
  CHECK(t.checkpoints[1].current_node == "cmd");
  CHECK(t.checkpoints[1].next_node_id == "exit");
  CHECK(t.checkpoints[1].completed_nodes == std::vector<std::string>{"start", "cmd"});
  CHECK(t.checkpoints[1].context_values.at("command.output").empty());
  CHECK(t.checkpoints[1].context_values.at("graph.goal").empty());
}

TEST_CASE("real mode hands command stages to the actor", "[model][engine]") {
  std::vector<std::string> asked;
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=parallelogram, script="true"] p [shape=tab, prompt="x"] start -> a -> p -> exit })",
               real(), [&](const stage_request& r) {
                 asked.push_back(r.node_id + "/" + r.stage_id);
                 return succeeded_outcome();
               });
  CHECK(t.end.succeeded);
  CHECK(asked == std::vector<std::string>{"a/a@1"});
}

TEST_CASE("conditions on command output choose the branch", "[model][engine]") {
  const char* src = R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    check [shape=parallelogram, script="x"]
    yes [shape=parallelogram, script="y"] no [shape=parallelogram, script="n"]
    start -> check  check -> yes [condition="context.command.output=ok"]
    check -> no  yes -> exit  no -> exit })";
  auto t = run(src, real(), [](const stage_request& r) {
    auto o = succeeded_outcome();
    if (r.node_id == "check") o.context_updates["command.output"] = "ok";
    return o;
  });
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started yes") == 1);
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started no") == 0);
}

TEST_CASE("retryable errors back off and retry, then fail a goal gate", "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    slow [shape=parallelogram, script="sleep 9", retry_policy="linear", goal_gate=true]
    start -> slow -> exit })",
               real(), [](const stage_request&) {
                 return failed_outcome("Script timed out after 10ms: sleep 9", retry_kind::error);
               });
  CHECK_FALSE(t.end.succeeded);
  CHECK(t.end.error == "goal gate unsatisfied for node slow and no retry target");
  CHECK(t.checkpoints.back().node_retries.at("slow") == 2);
  std::vector<std::string> slow;
  for (auto& e : t.events)
    if (e.size() > 5 && e.substr(e.size() - 5) == " slow") slow.push_back(e);
  CHECK(slow == std::vector<std::string>{
                    "stage.started slow", "stage.failed slow", "stage.retrying slow",
                    "stage.started slow", "stage.failed slow", "stage.retrying slow",
                    "stage.started slow", "stage.failed slow", "edge.selected slow",
                    "checkpoint.completed slow"});
}

TEST_CASE("a failed command falls through to an unconditional edge and the run succeeds",
          "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    cmd [shape=parallelogram, script="false"] start -> cmd -> exit })",
               real(), [](const stage_request&) { return failed_outcome("Script failed with exit code: 1"); });
  CHECK(t.end.succeeded);
}

TEST_CASE("a failing goal gate loops through its retry target until the circuit breaker trips",
          "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    check [shape=parallelogram, script="false", goal_gate=true, retry_target="fix"]
    fix [shape=parallelogram, script="true"]
    start -> check -> exit  fix -> check })",
               real(), [](const stage_request& r) {
                 return r.node_id == "check" ? failed_outcome("Script failed with exit code: 1")
                                             : succeeded_outcome();
               });
  CHECK_FALSE(t.end.succeeded);
  CHECK(t.end.error ==
        "deterministic failure cycle detected: signature check|deterministic|script failed "
        "with exit code: <n> repeated 3 times (limit 3)");
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started fix") == 2);
  CHECK(t.checkpoints.back().loop_failure_signatures.begin()->second == 2);
}

TEST_CASE("a goal gate without a retry target fails the run", "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    check [shape=parallelogram, script="false", goal_gate=true] start -> check -> exit })",
               real(), [](const stage_request&) { return failed_outcome("bad"); });
  CHECK(t.end.error == "goal gate unsatisfied for node check and no retry target");
}

TEST_CASE("visit limits use >= and default to 10 in a dry run", "[model][engine]") {
  const char* loop = R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=tab, prompt="x"] start -> a  a -> a })";
  auto t = run(loop, dry());
  CHECK(t.end.error == "node \"a\" visited 10 times (graph limit 10); run is stuck in a cycle");
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started a") == 9);
  auto n = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=tab, prompt="x", max_visits=3] start -> a  a -> a })", dry());
  CHECK(n.end.error == "node \"a\" visited 3 times (node limit 3); run is stuck in a cycle");
}

TEST_CASE("auto_status and allow_partial rewrite a final failure", "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=parallelogram, script="x", auto_status=true]
    b [shape=parallelogram, script="y", allow_partial=true]
    start -> a  a -> b [condition="outcome=succeeded"]  a -> exit
    b -> exit [condition="outcome=partially_succeeded"]  b -> a })",
               real(), [](const stage_request&) { return failed_outcome("no", retry_kind::requested); });
  CHECK(t.end.succeeded);
  CHECK(t.checkpoints.back().node_outcomes.at("a") == "succeeded");
  CHECK(t.checkpoints.back().node_outcomes.at("b") == "partially_succeeded");
}

TEST_CASE("human gates auto-approve the first option in a dry run", "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    ask [shape=hexagon] a [shape=tab, prompt="a"] b [shape=tab, prompt="b"]
    start -> ask  ask -> b [label="Later"]  ask -> a [label="Now"]  a -> exit  b -> exit })",
               dry());
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started b") == 1);
  CHECK(std::count(t.events.begin(), t.events.end(), "stage.started a") == 0);
}

TEST_CASE("parallel branches run in order, then jump to the join and fan in",
          "[model][engine]") {
  auto t = run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    fork [shape=component] a [shape=parallelogram, script="a"] b [shape=parallelogram, script="b"]
    merge [shape=tripleoctagon]
    start -> fork  fork -> a  fork -> b  a -> merge  b -> merge  merge -> exit })",
               real(), [](const stage_request& r) {
                 CHECK(r.branch >= 0);
                 return r.node_id == "a" ? failed_outcome("x") : succeeded_outcome();
               });
  CHECK(t.end.succeeded);
  std::vector<std::string> fork(t.events.begin() + 5, t.events.begin() + 14);
  // The failed branch: the best pick is the succeeded one.
  CHECK(fork == std::vector<std::string>{
                    "stage.started fork", "parallel.started fork", "parallel.branch.started fork",
                    "parallel.branch.completed fork", "parallel.branch.started fork",
                    "parallel.branch.completed fork", "parallel.completed fork",
                    "stage.completed fork", "edge.selected fork"});
  auto& ctx = t.checkpoints.back().context_values;
  CHECK(ctx.at("parallel.fan_in.best_id") == "b");
  CHECK(ctx.at("parallel.results") ==
        R"([{"id":"a","status":"failed"},{"id":"b","status":"succeeded"}])");
  CHECK(t.checkpoints[1].node_outcomes.at("fork") == "partially_succeeded");
}

// start -> b -> a, then back to b through a loop_restart edge once.
trace restart_once() {
  int calls = 0;
  return run(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=parallelogram, script="a"] b [shape=tab, prompt="b"]
    start -> b -> a  a -> exit [condition="context.done=yes"]  a -> b [loop_restart=true] })",
             real(), [&](const stage_request&) {
               auto o = succeeded_outcome();
               if (++calls == 2) o.context_updates["done"] = "yes";
               return o;
             });
}

TEST_CASE("a loop_restart edge clears the context and completed nodes", "[model][engine]") {
  auto t = restart_once();
  CHECK(t.end.succeeded);
  CHECK(std::count(t.events.begin(), t.events.end(), "loop.restart a") == 1);
  CHECK(std::count(t.events.begin(), t.events.end(), "run.started") == 2);
  CHECK(t.checkpoints.back().completed_nodes == std::vector<std::string>{"b", "a"});
  CHECK(t.checkpoints.back().node_visits.at("a") == 2);
}

// Each checkpoint.completed event applied to the one before it gives the
// checkpoint the executor took at that stage.
void check_events_rebuild_checkpoints(const trace& t) {
  REQUIRE(t.checkpoint_props.size() == t.checkpoints.size());
  std::optional<checkpoint> prev;
  for (size_t i = 0; i < t.checkpoints.size(); ++i) {
    auto c = apply_checkpoint_event(t.checkpoint_props[i], prev ? &*prev : nullptr);
    REQUIRE(c);
    const auto& want = t.checkpoints[i];
    CHECK(c->current_node == want.current_node);
    CHECK(c->next_node_id == want.next_node_id);
    CHECK(c->completed_nodes == want.completed_nodes);
    CHECK(c->node_retries == want.node_retries);
    CHECK(c->node_visits == want.node_visits);
    CHECK(c->node_outcomes == want.node_outcomes);
    CHECK(c->loop_failure_signatures == want.loop_failure_signatures);
    prev = std::move(*c);
  }
}

TEST_CASE("checkpoint events of a long chain stay the same size and rebuild every checkpoint",
          "[model][engine]") {
  std::string src = "digraph G { start [shape=Mdiamond] exit [shape=Msquare]\n";
  std::string chain = "start";
  for (int i = 0; i < 400; ++i) {
    auto n = "n" + std::to_string(i);
    src += n + " [shape=parallelogram, script=\"true\"]\n";
    chain += " -> " + n;
  }
  src += chain + " -> exit }";
  auto t = run(src, real());
  CHECK(t.end.succeeded);
  REQUIRE(t.checkpoints.size() == 401);
  CHECK(t.checkpoints.back().completed_nodes.size() == 401);
  // The first is whole; every later one names one new node, not all before it.
  size_t largest = 0;
  for (size_t i = 1; i < t.checkpoint_props.size(); ++i)
    largest = std::max(largest, t.checkpoint_props[i].size());
  CHECK(largest < 300);
  CHECK(t.checkpoint_props.back().find("\"n0\"") == std::string::npos);
  check_events_rebuild_checkpoints(t);
}

TEST_CASE("after a loop restart the checkpoint event is whole again", "[model][engine]") {
  auto t = restart_once();
  CHECK(t.end.succeeded);
  size_t whole = 0;
  for (const auto& p : t.checkpoint_props)
    if (p.find("\"delta\":true") == std::string::npos) ++whole;
  CHECK(whole == 2);  // the first, and the first after the restart
  check_events_rebuild_checkpoints(t);
}

TEST_CASE("a checkpoint delta needs the checkpoint before it", "[model][engine]") {
  checkpoint a;
  a.current_node = "a";
  a.completed_nodes = {"a"};
  a.node_visits = {{"a", 1}};
  checkpoint b = a;
  b.current_node = "b";
  b.completed_nodes.push_back("b");
  b.node_visits["b"] = 1;
  b.node_outcomes["b"] = "succeeded";
  auto delta = checkpoint_event_json(b, &a);
  CHECK(delta.find("\"delta\":true") != std::string::npos);
  CHECK_FALSE(apply_checkpoint_event(delta, nullptr));
  auto rebuilt = apply_checkpoint_event(delta, &a);
  REQUIRE(rebuilt);
  CHECK(rebuilt->completed_nodes == b.completed_nodes);
  CHECK(rebuilt->node_outcomes == b.node_outcomes);
  // A map key that went away cannot be a delta: the event is whole.
  checkpoint c = b;
  c.node_visits.erase("a");
  CHECK(checkpoint_event_json(c, &b).find("delta") == std::string::npos);
}
