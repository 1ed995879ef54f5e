#include "model/workflow/edge_selection.hpp"

#include <catch2/catch.hpp>

#include "model/workflow/graph_builder.hpp"

using namespace fabro::model;

namespace {

workflow_graph graph_of(std::string_view src) {
  auto g = parse_workflow(src);
  if (!g) FAIL(g.error().detail);
  return *g;
}

// Target of the chosen edge, or "" when none.
std::string route(const workflow_graph& g, std::string_view from,
                  routing_outcome o = {}, condition_context c = {},
                  double draw = 0.0) {
  auto choice = select_edge(g, from, o, c, draw);
  return choice ? g.edges()[choice->edge_index].to : "";
}

routing_outcome failed() {
  routing_outcome o;
  o.status = "failed";
  return o;
}

}  // namespace

TEST_CASE("a node without outgoing edges routes nowhere", "[routing]") {
  auto g = graph_of("digraph G { a }");
  CHECK(route(g, "a") == "");
}

TEST_CASE("a matching condition beats unconditional edges", "[routing]") {
  auto g = graph_of(R"(digraph G {
    a -> x
    a -> y [condition="outcome=failed"]
    a -> z [condition="context.n > 3"]
  })");
  CHECK(route(g, "a") == "x");
  CHECK(route(g, "a", failed()) == "y");
  condition_context c;
  c.values["n"] = "4";
  auto choice = select_edge(g, "a", {}, c);
  REQUIRE(choice);
  CHECK(g.edges()[choice->edge_index].to == "z");
  CHECK(choice->reason == selection_reason::condition);
}

TEST_CASE("ties go to the highest weight, then the smallest target ID",
          "[routing]") {
  auto g = graph_of("digraph G { a -> c a -> b a -> d [weight=2] e -> c e -> b }");
  CHECK(route(g, "a") == "d");
  CHECK(route(g, "e") == "b");
}

TEST_CASE("a preferred label picks the matching unconditional edge",
          "[routing]") {
  auto g = graph_of(R"(digraph G {
    gate [shape=hexagon]
    gate -> ship [label="[A] Approve"]
    gate -> draft [label="R) Revise"]
    gate -> other [label="x - Other", condition="outcome=skipped"]
  })");
  routing_outcome o;
  o.preferred_label = "revise";
  auto choice = select_edge(g, "gate", o, {});
  REQUIRE(choice);
  CHECK(g.edges()[choice->edge_index].to == "draft");
  CHECK(choice->reason == selection_reason::preferred_label);
  o.preferred_label = "  APPROVE ";
  CHECK(route(g, "gate", o) == "ship");
}

TEST_CASE("suggested next IDs are tried in order", "[routing]") {
  auto g = graph_of("digraph G { a -> b a -> c a -> d }");
  routing_outcome o;
  o.suggested_next_ids = {"zzz", "d", "c"};
  auto choice = select_edge(g, "a", o, {});
  REQUIRE(choice);
  CHECK(g.edges()[choice->edge_index].to == "d");
  CHECK(choice->reason == selection_reason::suggested_next);
}

TEST_CASE("a failed human gate fails closed", "[routing]") {
  auto g = graph_of("digraph G { h [shape=hexagon] h -> a }");
  CHECK(route(g, "h", failed()) == "");
  routing_outcome o = failed();
  o.preferred_label = "a";
  // With a preferred label (even one matching no edge) the gate answered:
  // the unconditional tier applies again.
  CHECK(route(g, "h", o) == "a");
}

TEST_CASE("a failed ordinary node falls through to unconditional edges",
          "[routing]") {
  auto g = graph_of("digraph G { cmd [shape=parallelogram] cmd -> exit }");
  auto choice = select_edge(g, "cmd", failed(), {});
  REQUIRE(choice);
  CHECK(choice->reason == selection_reason::unconditional);
}

TEST_CASE("only conditional edges and none matching routes nowhere",
          "[routing]") {
  auto g = graph_of(R"(digraph G { a -> b [condition="outcome=failed"] })");
  CHECK(route(g, "a") == "");
}

TEST_CASE("random selection draws by weight, non-positive weights count 1",
          "[routing]") {
  auto g = graph_of(R"(digraph G {
    a [selection=random]
    a -> b [weight=3]
    a -> c [weight=-2]
  })");
  CHECK(route(g, "a", {}, {}, 0.0) == "b");
  CHECK(route(g, "a", {}, {}, 0.74) == "b");
  CHECK(route(g, "a", {}, {}, 0.76) == "c");
  CHECK(route(g, "a", {}, {}, 0.999) == "c");
}

TEST_CASE("labels normalize by case, space and accelerator", "[routing]") {
  CHECK(normalize_label("[A] Approve") == "approve");
  CHECK(normalize_label(" y) Yes ") == "yes");
  CHECK(normalize_label("N - No") == "no");
  CHECK(normalize_label("Plain") == "plain");
  CHECK(normalize_label("[AB] x") == "[ab] x");
}
