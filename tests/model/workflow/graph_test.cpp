#include "model/workflow/graph.hpp"

#include <catch2/catch.hpp>

#include "model/workflow/graph_builder.hpp"

using namespace fabro::model;

namespace {

workflow_graph graph_of(std::string_view src) {
  auto g = parse_workflow(src);
  if (!g) FAIL(g.error().detail);
  return *g;
}

}  // namespace

TEST_CASE("graph attributes fall back to Fabro's code defaults", "[graph]") {
  workflow_graph g;
  CHECK(g.goal() == "");
  CHECK_FALSE(g.rankdir());
  CHECK(g.default_max_retries() == 0);
  CHECK(g.default_fidelity() == "compact");
  CHECK(g.max_node_visits() == 0);
  CHECK(g.stall_timeout_ms() == 1800000);
  CHECK(g.loop_restart_signature_limit() == 3);
  CHECK(g.model_stylesheet() == "");
}

TEST_CASE("graph attributes are read only when typed correctly", "[graph]") {
  auto g = graph_of(R"(digraph G {
    graph [default_max_retries=3, max_node_visits="20", stall_timeout=0s,
           loop_restart_signature_limit=0, default_model=claude-opus-4]
  })");
  CHECK(g.default_max_retries() == 3);
  CHECK(g.max_node_visits() == 0);       // quoted: ignored
  CHECK(g.stall_timeout_ms() == 0);      // 0s disables the watchdog
  CHECK(g.loop_restart_signature_limit() == 3);  // below 1: default
  CHECK(g.default_model() == "claude-opus-4");
  auto unitless = graph_of("digraph G { stall_timeout=0 }");
  CHECK(unitless.stall_timeout_ms() == 1800000);
}

TEST_CASE("node accessors apply defaults and ignore mistyped values",
          "[graph]") {
  auto g = graph_of(R"(digraph G {
    a [goal_gate="true", max_retries="5", timeout=900, label="5m"]
    b [goal_gate=true, max_retries=2, timeout=900s, label="B",
       tool_command="ls", max_parallel=0, join_policy=first_success,
       selection=random, language=python, auto_status=true]
  })");
  const auto& a = *g.find_node("a");
  CHECK_FALSE(a.goal_gate());
  CHECK_FALSE(a.max_retries());
  CHECK_FALSE(a.timeout_ms());
  CHECK(a.label() == "a");  // a duration label falls back to the ID
  CHECK(a.shape() == "box");
  CHECK(a.handler() == handler_type::agent);
  CHECK(a.selection() == "deterministic");
  CHECK(a.join_policy() == "wait_all");
  CHECK(a.max_parallel() == 4);
  CHECK(a.language() == "shell");
  const auto& b = *g.find_node("b");
  CHECK(b.goal_gate());
  CHECK(b.max_retries() == 2);
  CHECK(b.timeout_ms() == 900000);
  CHECK(b.label() == "B");
  CHECK(b.script() == "ls");
  CHECK(b.max_parallel() == 1);
  CHECK(b.join_policy() == "first_success");
  CHECK(b.selection() == "random");
  CHECK(b.language() == "python");
  CHECK(b.auto_status());
  CHECK_FALSE(b.allow_partial());
}

TEST_CASE("edge accessors apply defaults and ignore mistyped values",
          "[graph]") {
  auto g = graph_of(R"(digraph G {
    a -> b [weight="5", freeform="true"]
    a -> c [weight=5, freeform=true, loop_restart=true, label=go,
            condition="outcome=succeeded", fidelity=full, thread_id=t]
  })");
  const auto& e0 = g.edges()[0];
  CHECK(e0.weight() == 0);
  CHECK_FALSE(e0.freeform());
  CHECK_FALSE(e0.is_conditional());
  CHECK_FALSE(e0.label());
  const auto& e1 = g.edges()[1];
  CHECK(e1.weight() == 5);
  CHECK(e1.freeform());
  CHECK(e1.loop_restart());
  CHECK(e1.label() == "go");
  CHECK(e1.is_conditional());
  CHECK(e1.fidelity() == "full");
  CHECK(e1.thread_id() == "t");
}

TEST_CASE("start lookup prefers the Mdiamond shape over the ID", "[graph]") {
  auto g = graph_of("digraph G { start; begin [shape=Mdiamond] }");
  CHECK(g.find_start()->id == "begin");
  auto by_id = graph_of("digraph G { x; Start }");
  CHECK(by_id.find_start()->id == "Start");
  CHECK(graph_of("digraph G { x }").find_start() == nullptr);
}

TEST_CASE("terminal recognition differs between validation and executor",
          "[graph]") {
  auto g = graph_of(
      "digraph G { exit; done [shape=Msquare]; t [type=exit]; end [shape=tab] }");
  CHECK(g.find_node("exit")->looks_like_terminal());
  CHECK_FALSE(g.find_node("exit")->is_terminal());  // runs as agent
  CHECK(g.find_node("done")->is_terminal());
  CHECK(g.find_node("t")->is_terminal());
  CHECK_FALSE(g.find_node("t")->looks_like_terminal());
  CHECK(g.find_node("end")->looks_like_terminal());
}

TEST_CASE("outgoing and incoming list edges in file order", "[graph]") {
  auto g = graph_of("digraph G { a -> b; c -> b; a -> c; a -> b }");
  CHECK(g.outgoing("a") == std::vector<std::size_t>{0, 2, 3});
  CHECK(g.incoming("b") == std::vector<std::size_t>{0, 1, 3});
  CHECK(g.outgoing("zzz").empty());
}

TEST_CASE("ensure_node creates once, with the defaults given", "[graph]") {
  workflow_graph g;
  bool created = false;
  attr_map defaults{{"shape", attr_value::from_bare("tab")}};
  g.ensure_node("n", defaults, {1, 2}, &created);
  CHECK(created);
  g.ensure_node("n", {}, {9, 9}, &created);
  CHECK_FALSE(created);
  CHECK(g.find_node("n")->shape() == "tab");
  CHECK(g.find_node("n")->pos.line == 1);
}
