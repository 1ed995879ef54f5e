#include "model/workflow/validate.hpp"

#include <catch2/catch.hpp>

#include "model/workflow/graph_builder.hpp"

using namespace fabro::model;

namespace {

std::vector<diagnostic> lint(std::string_view src) {
  auto g = parse_workflow(src);
  if (!g) FAIL(g.error().detail);
  return validate_graph(*g);
}

std::vector<std::string> rules(const std::vector<diagnostic>& d) {
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.rule);
  return out;
}

using names = std::vector<std::string>;

}  // namespace

TEST_CASE("a minimal start-to-exit workflow has no findings", "[validate]") {
  auto d = lint("digraph G { start [shape=Mdiamond] exit [shape=Msquare] "
                "start -> exit }");
  CHECK(d.empty());
  CHECK_FALSE(has_errors(d));
}

TEST_CASE("an edge to a missing node is an error on graphs built in code",
          "[validate]") {
  workflow_graph g;
  g.add_node(graph_node{"start", {{"shape", attr_value::from_bare("Mdiamond")}},
                        {}, {}});
  g.add_node(graph_node{"exit", {{"shape", attr_value::from_bare("Msquare")}},
                        {}, {}});
  g.add_edge(graph_edge{"start", "exit", {}, {}});
  g.add_edge(graph_edge{"start", "ghost", {}, {3, 5}});
  auto d = validate_graph(g);
  REQUIRE(rules(d) == names{"edge_target_exists"});
  CHECK(d[0].message == "Edge 'start' -> 'ghost' references missing node 'ghost'");
  CHECK(d[0].edge_from == "start");
  CHECK(d[0].edge_to == "ghost");
  CHECK(d[0].line == 3);
  CHECK(d[0].level == severity::error);
}

TEST_CASE("start and exit are also recognised by their IDs", "[validate]") {
  auto d = lint("digraph G { Start [label=s] End [label=e] Start -> End }");
  CHECK(rules(d) == names{"implicit_terminal", "implicit_terminal"});
  CHECK_FALSE(has_errors(d));
}

TEST_CASE("exit_no_outgoing applies to every terminal-looking node",
          "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] done [shape=Msquare]
    start -> done -> end
  })");
  // `end` makes two terminals, and both have been wired.
  CHECK(rules(d) == names{"terminal_node", "exit_no_outgoing",
                          "prompt_on_llm_nodes", "implicit_terminal"});
}

TEST_CASE("a quoted goal_gate is no gate, so it needs no retry target",
          "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] exit [shape=Msquare]
    v [shape=parallelogram, script="true", goal_gate="true"]
    start -> v -> exit
  })");
  CHECK(rules(d) == names{"attribute_type"});
}

TEST_CASE("a graph-level retry target satisfies goal gates", "[validate]") {
  auto d = lint(R"(digraph G {
    retry_target=v
    start [shape=Mdiamond] exit [shape=Msquare]
    v [shape=parallelogram, script="true", goal_gate=true]
    start -> v -> exit
  })");
  CHECK(d.empty());
}

TEST_CASE("an empty condition counts as unconditional", "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] exit [shape=Msquare]
    start -> exit [condition=""]
  })");
  CHECK(d.empty());
}

TEST_CASE("reachability is skipped when there is no single start",
          "[validate]") {
  auto d = lint(R"(digraph G {
    a [shape=Mdiamond] b [shape=Mdiamond] exit [shape=Msquare]
    a -> exit
  })");
  CHECK(rules(d) == names{"start_node"});
}

TEST_CASE("an invalid manager stop condition is a condition_syntax error",
          "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] exit [shape=Msquare]
    m [shape=house, label=m, manager.stop_condition="a &&"]
    start -> m -> exit
  })");
  REQUIRE(rules(d) == names{"condition_syntax"});
  CHECK(d[0].node_id == "m");
}

TEST_CASE("standard outcomes are not orphan custom outcomes", "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] exit [shape=Msquare]
    c [shape=diamond]
    start -> c
    c -> exit [condition="outcome=skipped"]
  })");
  CHECK(rules(d) == names{"all_conditional_edges"});
}

TEST_CASE("cd into a relative directory is fine", "[validate]") {
  auto d = lint(R"(digraph G {
    start [shape=Mdiamond] exit [shape=Msquare]
    b [shape=parallelogram, script="cd build && abcd /x"]
    start -> b -> exit
  })");
  CHECK(d.empty());
}

TEST_CASE("warnings alone do not make a workflow invalid", "[validate]") {
  diagnostic w;
  w.level = severity::warning;
  CHECK_FALSE(has_errors({w}));
  diagnostic e;
  CHECK(has_errors({w, e}));
}
