#include "model/workflow/stylesheet.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("a stylesheet parses into rules with specificity", "[stylesheet]") {
  auto r = parse_stylesheet(R"(
    * { model: claude-sonnet-4-5; }
    box { provider: anthropic }
    .fast-lane { speed: fast; reasoning_effort: low }
    #review { model: gpt-5; backend: cli; }
  )");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].selector == "*");
  CHECK((*r)[0].specificity == 0);
  CHECK((*r)[1].specificity == 1);
  CHECK((*r)[2].selector == ".fast-lane");
  CHECK((*r)[2].specificity == 2);
  CHECK((*r)[2].properties.size() == 2);
  CHECK((*r)[3].specificity == 3);
  CHECK((*r)[3].properties[0].second == "gpt-5");
}

TEST_CASE("an empty stylesheet has no rules", "[stylesheet]") {
  auto r = parse_stylesheet("  ");
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("malformed stylesheets name their fault", "[stylesheet]") {
  auto err = [](std::string_view s) {
    auto r = parse_stylesheet(s);
    REQUIRE_FALSE(r.ok());
    return r.error().detail;
  };
  CHECK(err("* model: x }") == "expected '{' after selector '*'");
  CHECK(err("* { colour: red }") == "unknown property 'colour'");
  CHECK(err("* { model x }") == "expected ':' after property 'model'");
  CHECK(err("* { model: ; }") == "property 'model' has no value");
  CHECK(err("* { model: x") == "missing '}' after rule '*'");
  CHECK(err(".Upper { model: x }") == "invalid selector at offset 0");
}
