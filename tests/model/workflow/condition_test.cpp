#include "model/workflow/condition.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

namespace {

condition_context ctx() {
  condition_context c;
  c.outcome = "succeeded";
  c.preferred_label = "Approve";
  c.values = {{"count", "5"},
              {"context.flag", "true"},
              {"plain", "hello world"},
              {"zero", "0"},
              {"no", "false"},
              {"empty", ""},
              {"items", R"(["a", 2, {"k":1}])"},
              {"text", "[not json"},
              {"command.output", "tests PASS in 3s"}};
  return c;
}

bool holds(std::string_view cond) { return evaluate_condition(cond, ctx()); }

std::string parse_error(std::string_view cond) {
  auto r = parse_condition(cond);
  REQUIRE_FALSE(r.ok());
  return r.error().detail;
}

}  // namespace

TEST_CASE("an empty condition is always true", "[condition]") {
  CHECK(holds(""));
  CHECK(holds("   "));
}

TEST_CASE("outcome and preferred_label come from the routed outcome",
          "[condition]") {
  CHECK(holds("outcome=succeeded"));
  CHECK_FALSE(holds("outcome=failed"));
  CHECK(holds("outcome != failed"));
  CHECK(holds("preferred_label=Approve"));
  CHECK_FALSE(holds("preferred_label=approve"));  // exact comparison
}

TEST_CASE("context keys resolve with and without the context prefix",
          "[condition]") {
  CHECK(holds("context.flag=true"));  // the key context.flag itself
  CHECK(holds("context.count=5"));    // falls back to count
  CHECK(holds("count=5"));
  CHECK_FALSE(holds("flag=true"));    // no fallback the other way
  CHECK(holds("missing="));           // missing reads as ""
  CHECK(holds("context.missing="));
}

TEST_CASE("a bare key is true unless empty, false or 0", "[condition]") {
  CHECK(holds("plain"));
  CHECK(holds("context.flag"));
  CHECK_FALSE(holds("zero"));
  CHECK_FALSE(holds("no"));
  CHECK_FALSE(holds("empty"));
  CHECK_FALSE(holds("missing"));
}

TEST_CASE("numeric comparisons compare as numbers", "[condition]") {
  CHECK(holds("count > 4"));
  CHECK(holds("count >= 5"));
  CHECK(holds("count < 10"));  // numeric, not lexicographic
  CHECK(holds("count <= 5.0"));
  CHECK_FALSE(holds("count > 5"));
  CHECK(holds("context.count>=+5"));
}

TEST_CASE("numeric comparisons fail closed when a side is not a number",
          "[condition]") {
  CHECK_FALSE(holds("plain > 1"));
  CHECK_FALSE(holds("plain < 1"));
  CHECK_FALSE(holds("count >= five"));
  CHECK_FALSE(holds("missing <= 0"));
  CHECK_FALSE(holds("count > 5x"));
}

TEST_CASE("contains tests substrings, or membership in a JSON array",
          "[condition]") {
  CHECK(holds("context.command.output contains PASS"));
  CHECK_FALSE(holds("command.output contains FAIL"));
  CHECK(holds("items contains a"));
  CHECK(holds("items contains 2"));
  CHECK(holds(R"(items contains "{\"k\":1}")"));
  CHECK_FALSE(holds("items contains \"a\\\"\""));
  CHECK_FALSE(holds("items contains k"));  // no substring test on arrays
  CHECK(holds("text contains json"));      // not an array: substring
}

TEST_CASE("matches is an unanchored RE2 search", "[condition]") {
  CHECK(holds("plain matches wor"));
  CHECK(holds("plain matches ^hello"));
  CHECK_FALSE(holds("plain matches ^world"));
  CHECK(holds("command.output matches \"PASS in [0-9]+s\""));
}

TEST_CASE("&& binds tighter than ||", "[condition]") {
  CHECK(holds("outcome=failed || count=5 && plain"));
  CHECK_FALSE(holds("outcome=failed && count=5 || zero"));
  CHECK(holds("outcome=succeeded&&count=5"));
}

TEST_CASE("! negates the clause that follows", "[condition]") {
  CHECK(holds("!zero"));
  CHECK(holds("!outcome=failed"));
  CHECK_FALSE(holds("!!zero"));
  CHECK(holds("!plain > 1"));  // the failed comparison is negated
}

TEST_CASE("quoted words keep spaces and unescape quotes", "[condition]") {
  CHECK(holds("plain=\"hello world\""));
  auto e = parse_condition(R"(k="a \"b\" \\ c")");
  REQUIRE(e.ok());
  CHECK(e->any_of[0][0].value == "a \"b\" \\ c");
}

TEST_CASE("contains and matches are operators only after a word",
          "[condition]") {
  auto e = parse_condition("contains=x");
  REQUIRE(e.ok());
  CHECK(e->any_of[0][0].key == "contains");
  CHECK(e->any_of[0][0].op == condition_op::eq);
  auto q = parse_condition("k \"contains\"");
  CHECK_FALSE(q.ok());  // a quoted contains is a word
}

TEST_CASE("parentheses are part of words", "[condition]") {
  auto e = parse_condition("(outcome=succeeded)");
  REQUIRE(e.ok());
  CHECK(e->any_of[0][0].key == "(outcome");
  CHECK_FALSE(holds("(outcome=succeeded)"));
}

TEST_CASE("malformed conditions fail to parse and evaluate to false",
          "[condition]") {
  CHECK(parse_error("count >") == "expected a value after '>'");
  CHECK(parse_error("a contains") == "expected a value after 'contains'");
  CHECK(parse_error("a &&") == "expected a condition at the end");
  CHECK(parse_error("|| a") == "expected a key, found '||'");
  CHECK(parse_error("a & b") == "unexpected '&'; use '&&' or '||'");
  CHECK(parse_error("a b") == "unexpected 'b'");
  CHECK(parse_error("k=\"open") == "unterminated quoted value");
  CHECK(parse_error("k matches (").rfind("invalid regex '(':", 0) == 0);
  CHECK_FALSE(holds("count >"));
  CHECK_FALSE(holds("!count >"));
}

TEST_CASE("an outcome clause is detected for lint rules", "[condition]") {
  std::vector<std::string> values;
  auto e = parse_condition("outcome=custom || x=1 && outcome=failed");
  REQUIRE(e.ok());
  CHECK(has_outcome_clause(*e, &values));
  CHECK(values == std::vector<std::string>{"custom", "failed"});
  CHECK_FALSE(has_outcome_clause(*parse_condition("x=1")));
}
