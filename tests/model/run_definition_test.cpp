#include "model/run_definition.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("a run definition survives its JSON round trip", "[model]") {
  run_definition d;
  d.workflow_path = "w.fabro";
  d.workflow_name = "W";
  d.goal = "ship \"it\"";
  d.source = "digraph W {\n start -> exit }";
  d.working_directory = "/tmp";
  d.children = {{"child.fabro", "digraph C {}"}};
  d.settings.dry_run = true;
  d.settings.auto_approve = true;
  d.settings.model = "m";
  d.settings.inputs = {{"x", "1"}};
  d.settings.env = {{"A", "b"}};
  d.settings.metadata = {{"team", "infra"}};
  auto back = parse_run_definition(to_json(d));
  REQUIRE(back);
  CHECK(back->source == d.source);
  CHECK(back->goal == d.goal);
  CHECK(back->children == d.children);
  CHECK(back->settings.dry_run);
  CHECK(back->settings.auto_approve);
  CHECK(back->settings.inputs == d.settings.inputs);
  CHECK(back->settings.env == d.settings.env);
  CHECK(back->settings.metadata == d.settings.metadata);
  CHECK(to_json(*back) == to_json(d));
}

TEST_CASE("an unreadable stored definition is an internal error", "[model]") {
  CHECK_FALSE(parse_run_definition("{}"));
  CHECK_FALSE(parse_run_definition("not json"));
}
