#include "model/workflow/graph_builder.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

namespace {

workflow_graph built(std::string_view src) {
  auto r = parse_workflow(src);
  if (!r) FAIL(r.error().detail);
  return *r;
}

const graph_node& node(const workflow_graph& g, std::string_view id) {
  auto* n = g.find_node(id);
  REQUIRE(n != nullptr);
  return *n;
}

}  // namespace

TEST_CASE("edges create their nodes implicitly, in order of mention",
          "[builder]") {
  auto g = built("digraph G { a -> b; c; b -> a }");
  REQUIRE(g.nodes().size() == 3);
  CHECK(g.nodes()[0].id == "a");
  CHECK(g.nodes()[1].id == "b");
  CHECK(g.nodes()[2].id == "c");
  REQUIRE(g.edges().size() == 2);
  CHECK(g.edges()[1].from == "b");
  CHECK(g.edges()[1].to == "a");
}

TEST_CASE("node defaults apply only when a node is first created",
          "[builder]") {
  auto g = built(R"(digraph G {
    a
    node [shape=tab, timeout=5s]
    a -> b
    b [shape=hexagon]
  })");
  CHECK(node(g, "a").shape() == "box");
  CHECK_FALSE(node(g, "a").timeout_ms());
  CHECK(node(g, "b").shape() == "hexagon");  // later statement wins
  CHECK(node(g, "b").timeout_ms() == 5000);
}

TEST_CASE("later node statements merge and override attributes",
          "[builder]") {
  auto g = built("digraph G { a [label=one, x=1] a [label=two] }");
  CHECK(node(g, "a").label() == "two");
  CHECK(get_int(node(g, "a").attrs, "x") == 1);
}

TEST_CASE("a chained edge gives every link the same attributes over the "
          "defaults", "[builder]") {
  auto g = built(R"(digraph G {
    edge [weight=1, label=dflt]
    a -> b -> c [label=go]
  })");
  REQUIRE(g.edges().size() == 2);
  for (const auto& e : g.edges()) {
    CHECK(e.weight() == 1);
    CHECK(e.label() == "go");
  }
  CHECK(g.edges()[1].from == "b");
}

TEST_CASE("subgraph defaults are scoped and restored", "[builder]") {
  auto g = built(R"(digraph G {
    node [shape=tab]
    subgraph s {
      node [shape=hexagon]
      edge [weight=9]
      a -> b
    }
    c -> d
  })");
  CHECK(node(g, "a").shape() == "hexagon");
  CHECK(node(g, "c").shape() == "tab");
  CHECK(g.edges()[0].weight() == 9);
  CHECK(g.edges()[1].weight() == 0);
}

TEST_CASE("a subgraph label gives its nodes a class", "[builder]") {
  auto g = built(R"(digraph G {
    x [class="Fast, review"]
    subgraph cluster_build {
      label="Build & Test 2"
      a
      subgraph inner { graph [label="Deep"] b }
      x
    }
  })");
  CHECK(node(g, "a").classes == std::vector<std::string>{"build--test-2"});
  CHECK(node(g, "b").classes ==
        std::vector<std::string>{"build--test-2", "deep"});
  CHECK(node(g, "x").classes ==
        std::vector<std::string>{"Fast", "review", "build--test-2"});
}

TEST_CASE("graph attributes inside a subgraph write to the root graph",
          "[builder]") {
  auto g = built(R"(digraph G {
    goal="outer"
    subgraph s { goal="inner"  graph [rankdir=LR] }
  })");
  CHECK(g.goal() == "inner");
  CHECK(g.rankdir() == "LR");
}

TEST_CASE("legacy codergen_mode maps to a type only when type is absent",
          "[builder]") {
  auto g = built(R"(digraph G {
    a [codergen_mode="one_shot"]
    b [codergen_mode=agent_loop]
    c [codergen_mode=one_shot, type=human]
  })");
  CHECK(node(g, "a").handler() == handler_type::prompt);
  CHECK(node(g, "b").handler() == handler_type::agent);
  CHECK(node(g, "b").type() == "agent");
  CHECK(node(g, "c").handler() == handler_type::human);
}

TEST_CASE("positions point at the first mention of nodes and at edge "
          "sources", "[builder]") {
  auto g = built("digraph G {\n  a -> b\n  b -> c\n}");
  CHECK(node(g, "b").pos.line == 2);
  CHECK(node(g, "b").pos.column == 8);
  CHECK(g.edges()[1].pos.line == 3);
  CHECK(g.edges()[1].pos.column == 3);
}

TEST_CASE("class names derive from labels", "[builder]") {
  CHECK(class_from_label("Quality Gates") == "quality-gates");
  CHECK(class_from_label("API_v2!") == "apiv2");
  CHECK(class_from_label("") == "");
}

TEST_CASE("parse_workflow reports syntax errors as parse diagnostics",
          "[builder]") {
  auto r = parse_workflow("digraph G { a -- b }");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().diagnostics.at(0).rule == "parse");
}
