// Retry policy, failure classification/signatures, goal gates, sandbox env.
#include <catch2/catch.hpp>

#include "model/engine/human_gate.hpp"

#include "model/engine/failure.hpp"
#include "model/engine/goal_gates.hpp"
#include "model/engine/handlers.hpp"
#include "model/engine/retry_policy.hpp"
#include "model/engine/sandbox_env.hpp"
#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;

namespace {
workflow_graph load(const std::string& src) {
  auto g = load_workflow(src);
  REQUIRE(g);
  return *g;
}
}  // namespace

TEST_CASE("retry presets and max_retries give Fabro's attempts and delays", "[model][engine]") {
  auto g = load(R"(digraph G { graph [default_max_retries=2]
    start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=parallelogram, script="true", retry_policy="linear"]
    b [shape=parallelogram, script="true", max_retries=4]
    c [shape=parallelogram, script="true"]
    d [shape=parallelogram, script="true", retry_policy="bogus", max_retries=1]
    start -> a -> b -> c -> d -> exit })");
  auto a = build_retry_policy(*g.find_node("a"), g);
  CHECK(a.max_attempts == 3);
  CHECK(backoff_delay_ms(a, 1, false, 0.0) == 500);
  CHECK(backoff_delay_ms(a, 2, false, 0.0) == 500);
  auto b = build_retry_policy(*g.find_node("b"), g);
  CHECK(b.max_attempts == 5);
  CHECK(backoff_delay_ms(b, 1, false, 0.9) == 5000);
  CHECK(backoff_delay_ms(b, 3, false, 0.9) == 20000);
  CHECK(backoff_delay_ms(b, 10, false, 0.9) == 60000);  // capped
  CHECK(build_retry_policy(*g.find_node("c"), g).max_attempts == 3);  // graph default
  CHECK(build_retry_policy(*g.find_node("d"), g).max_attempts == 2);  // unknown preset
}

TEST_CASE("backoff jitter scales the delay by a factor from 0.5 up to 1.5", "[model][engine]") {
  retry_policy p{3, 1000, 2.0, 60000};
  CHECK(backoff_delay_ms(p, 1, true, 0.0) == 500);
  CHECK(backoff_delay_ms(p, 1, true, 0.5) == 1000);
  CHECK(backoff_delay_ms(p, 2, true, 0.99) == 2980);
}

TEST_CASE("failure messages are classified by keyword", "[model][engine]") {
  CHECK(classify_failure("Script timed out after 100ms: sleep 5") == "transient_infra");
  CHECK(classify_failure("Pipeline Cancelled") == "canceled");
  CHECK(classify_failure("token limit reached") == "budget_exhausted");
  CHECK(classify_failure("scope violation in foo") == "structural");
  CHECK(classify_failure("Script failed with exit code: 1") == "deterministic");
  CHECK(counts_for_circuit_breaker("deterministic"));
  CHECK_FALSE(counts_for_circuit_breaker("transient_infra"));
}

TEST_CASE("failure signatures normalize digits, hex ids and spacing", "[model][engine]") {
  CHECK(failure_signature("n", "deterministic", "  Exit code: 17,  at deadbeef12 ") ==
        "n|deterministic|exit code: <n>,at <hex>");
  CHECK(failure_signature("n", "x", "A\n\tB") == "n|x|a b");
  CHECK(failure_signature("n", "x", std::string(500, 'z')).size() == 4 + 240);
}

TEST_CASE("goal gates check the latest outcome and retry targets follow the lookup order",
          "[model][engine]") {
  auto g = load(R"(digraph G { graph [retry_target="fix"]
    start [shape=Mdiamond] exit [shape=Msquare]
    gate [shape=parallelogram, script="true", goal_gate=true, retry_target="missing",
          fallback_retry_target="again"]
    other [shape=parallelogram, script="true", goal_gate=true]
    fix [shape=parallelogram, script="true"] again [shape=parallelogram, script="true"]
    start -> gate -> other -> exit  fix -> gate  again -> gate })");
  std::map<std::string, stage_status> latest{{"gate", stage_status::partially_succeeded}};
  CHECK_FALSE(failed_goal_gate(g, latest));
  latest["other"] = stage_status::failed;
  CHECK(failed_goal_gate(g, latest) == std::optional<std::string>("other"));
  CHECK(retry_target_for(g, "gate") == std::optional<std::string>("again"));
  CHECK(retry_target_for(g, "other") == std::optional<std::string>("fix"));
}

TEST_CASE("the sandbox environment drops secrets and keeps the basics", "[model][engine]") {
  auto env = sandbox_environment({"PATH=/bin", "OPENAI_API_KEY=x", "GH_TOKEN=y", "A=1",
                                  "db_password=z", "MY_SECRET=s", "HOME=/h"},
                                 {{"B", "2"}, {"X_CREDENTIAL", "c"}});
  CHECK(env == std::vector<std::string>{"B=2", "HOME=/h", "PATH=/bin"});
}

TEST_CASE("only allow-listed host variables reach a stage", "[model][engine]") {
  // Secrets whose names no suffix rule catches: none of them passes.
  auto env = sandbox_environment({"AWS_SECRET_ACCESS_KEY=a", "PGPASSWORD=p", "DATABASE_URL=d",
                                  "GITHUB_PAT=g", "FABRO_DEV_TOKEN=t", "LC_ALL=C.UTF-8",
                                  "TZ=UTC", "LC_=x", "USER=u"},
                                 {{"DATABASE_URL", "mine"}, {"PGPASSWORD", "mine"}});
  // The run's own [run.sandbox.env] passes under Fabro's suffix rule.
  CHECK(env == std::vector<std::string>{"DATABASE_URL=mine", "LC_ALL=C.UTF-8", "PGPASSWORD=mine",
                                        "TZ=UTC", "USER=u"});
}

TEST_CASE("command outcomes follow the exit code, timeout and spawn rules", "[model][engine]") {
  command_run ok{"echo hi", 1000, termination::exited, 0, "hi\n", ""};
  auto o = command_outcome(ok);
  CHECK(o.status == stage_status::succeeded);
  CHECK(o.context_updates["command.output"] == "hi\n");
  command_run bad{"false", 1000, termination::exited, 3, "out", "  "};
  auto f = command_outcome(bad);
  CHECK(f.failed());
  CHECK(f.retry == retry_kind::none);
  CHECK(f.failure_message == "Script failed with exit code: 3\n\n## stdout\nout");
  command_run slow{"sleep 9", 250, termination::timed_out, -1, "", ""};
  auto t = command_outcome(slow);
  CHECK(t.retry == retry_kind::error);
  CHECK(t.failure_message == "Script timed out after 250ms: sleep 9");
  CHECK(t.failure_class == "transient_infra");
  CHECK(tail(std::string(5000, 'x') + "END").size() == 4096);
}

TEST_CASE("human gates pick the first non-freeform edge or match an answer", "[model][engine]") {
  auto g = load(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    ask [shape=hexagon, label="Ship?"] a [shape=parallelogram, script="true"]
    b [shape=parallelogram, script="true"] c [shape=parallelogram, script="true"]
    start -> ask  ask -> c [label="Other", freeform=true]  ask -> a [label="[Y] Yes"]
    ask -> b [label="No"]  a -> exit  b -> exit  c -> exit })");
  const auto& ask = *g.find_node("ask");
  auto auto_o = auto_human_outcome(g, ask);
  CHECK(auto_o.preferred_label == "[Y] Yes");
  CHECK(auto_o.suggested_next_ids == std::vector<std::string>{"a"});
  CHECK(auto_o.context_updates["human.gate.selected"] == "Y");
  human_answer legacy{human_answer::kind::legacy_text, "no", {}};
  CHECK(answer_outcome(g, ask, legacy)->suggested_next_ids == std::vector<std::string>{"b"});
  legacy.text = "maybe later";
  auto free = answer_outcome(g, ask, legacy);
  REQUIRE(free);
  CHECK(free->context_updates["human.gate.text"] == "maybe later");
}
