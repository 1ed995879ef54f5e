#include "model/workflow/dot_lexer.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("comment stripping keeps length, lines and strings", "[lexer]") {
  std::string src = "a // x\n/* y\nz */ b \"// c /* d */\"";
  auto out = strip_comments(src);
  REQUIRE(out.ok());
  CHECK(out->size() == src.size());
  CHECK(*out == "a     \n    \n     b \"// c /* d */\"");
}

TEST_CASE("escaped quotes do not end a string while stripping", "[lexer]") {
  auto out = strip_comments(R"("a \" // b" // c)");
  REQUIRE(out.ok());
  CHECK(*out == R"("a \" // b"     )");
}

TEST_CASE("an unterminated block comment is reported where it opens",
          "[lexer]") {
  auto out = strip_comments("x\n  /* open");
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().diagnostics.at(0).line == 2);
  CHECK(out.error().diagnostics.at(0).column == 3);
}

TEST_CASE("the cursor tracks lines and columns", "[lexer]") {
  dot_lexer lx("  \n\t ab_1.c");
  lx.skip_ws();
  CHECK(lx.pos().line == 2);
  CHECK(lx.pos().column == 3);
  auto m = lx.save();
  CHECK(lx.key() == "ab_1.c");
  CHECK(lx.at_end());
  lx.restore(m);
  CHECK(lx.ident() == "ab_1");
  CHECK(lx.peek() == '.');
}

TEST_CASE("a value is read in Fabro's order of forms", "[lexer]") {
  auto one = [](std::string_view text) {
    dot_lexer lx(text);
    auto v = lx.value();
    REQUIRE(v.ok());
    return std::make_pair(*v, lx.pos().column);
  };
  CHECK(one("10ms,").first.as_duration_ms() == 10);
  CHECK(one("10ms,").second == 5);
  CHECK(one("3m]").first.as_duration_ms() == 180000);
  CHECK(one(".5]").first.as_float() == 0.5);
  CHECK(one("-12 ").first.as_int() == -12);
  CHECK(one("false]").first.as_bool() == false);
  CHECK(one("a-b.c]").first.as_string() == "a-b.c");
  CHECK(one("\"5m\"").first.as_duration_ms() == 300000);
  CHECK(one("5min").second == 2);  // the integer 5; "min" is left over
}

TEST_CASE("a non-value is rejected at the cursor", "[lexer]") {
  dot_lexer lx("]");
  auto v = lx.value();
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().diagnostics.at(0).message == "expected a value");
  dot_lexer html("<b>");
  CHECK(html.value().error().detail == "HTML labels are not supported");
}

TEST_CASE("a duration beyond int64 milliseconds is an invalid number", "[lexer]") {
  dot_lexer lx("9999999999999999d]");
  auto v = lx.value();
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().diagnostics.at(0).message == "invalid number");
  dot_lexer fits("106751991167d]");  // just under INT64_MAX ms
  CHECK(fits.value().ok());
}
