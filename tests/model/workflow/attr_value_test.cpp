#include "model/workflow/attr_value.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("a quoted string that looks like a duration is a duration",
          "[workflow]") {
  auto v = attr_value::from_quoted("900s");
  CHECK(v.kind() == attr_kind::duration);
  CHECK(v.as_duration_ms() == 900000);
  CHECK_FALSE(v.as_string());
  CHECK(v.raw_text() == "900s");
  CHECK(v.to_text() == "900000ms");
}

TEST_CASE("quoted numbers and booleans stay strings", "[workflow]") {
  CHECK(attr_value::from_quoted("true").kind() == attr_kind::string);
  CHECK_FALSE(attr_value::from_quoted("true").as_bool());
  CHECK_FALSE(attr_value::from_quoted("5").as_int());
  CHECK(attr_value::from_quoted("5").as_string() == "5");
}

TEST_CASE("every duration unit converts to milliseconds", "[workflow]") {
  CHECK(parse_duration_text("7ms") == 7);
  CHECK(parse_duration_text("7s") == 7000);
  CHECK(parse_duration_text("7m") == 420000);
  CHECK(parse_duration_text("7h") == 25200000);
  CHECK(parse_duration_text("7d") == 604800000);
}

TEST_CASE("texts that are not durations are rejected", "[workflow]") {
  CHECK_FALSE(parse_duration_text("s"));
  CHECK_FALSE(parse_duration_text("-5s"));
  CHECK_FALSE(parse_duration_text("5"));
  CHECK_FALSE(parse_duration_text("5 s"));
  CHECK_FALSE(parse_duration_text("5sec"));
  CHECK_FALSE(parse_duration_text("1.5s"));
  CHECK_FALSE(parse_duration_text("99999999999999999999s"));
}

TEST_CASE("typed lookups ignore values of another kind", "[workflow]") {
  attr_map m{{"gate", attr_value::from_quoted("true")},
             {"retries", attr_value::from_int(3)},
             {"ratio", attr_value::from_float(0.5)},
             {"on", attr_value::from_bool(true)},
             {"timeout", attr_value::from_duration_ms(1000)},
             {"name", attr_value::from_bare("LR")}};
  CHECK_FALSE(get_bool(m, "gate"));
  CHECK(get_string(m, "gate") == "true");
  CHECK(get_int(m, "retries") == 3);
  CHECK_FALSE(get_duration_ms(m, "retries"));
  CHECK(get_float(m, "ratio") == 0.5);
  CHECK_FALSE(get_int(m, "ratio"));
  CHECK(get_bool(m, "on") == true);
  CHECK(get_duration_ms(m, "timeout") == 1000);
  CHECK(get_string(m, "name") == "LR");
  CHECK_FALSE(get_string(m, "missing"));
  CHECK(find_attr(m, "missing") == nullptr);
}

TEST_CASE("values render to their context text form", "[workflow]") {
  CHECK(attr_value::from_int(-4).to_text() == "-4");
  CHECK(attr_value::from_bool(false).to_text() == "false");
  CHECK(attr_value::from_float(2.5).to_text() == "2.5");
  CHECK(attr_value::from_bare("claude-sonnet-4-5").to_text() ==
        "claude-sonnet-4-5");
}

TEST_CASE("values compare by kind and content", "[workflow]") {
  CHECK(attr_value::from_int(1) == attr_value::from_int(1));
  CHECK(attr_value::from_int(1) != attr_value::from_bool(true));
  CHECK(attr_value::from_quoted("x") == attr_value::from_bare("x"));
}
