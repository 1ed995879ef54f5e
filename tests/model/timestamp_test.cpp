#include "model/timestamp.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("timestamps are RFC 3339 UTC with a fraction only when non-zero", "[model]") {
  CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339_ms(1776083696789) == "2026-04-13T12:34:56.789Z");
  CHECK(format_rfc3339_ms(1776083696000) == "2026-04-13T12:34:56Z");
  CHECK(format_rfc3339_ms(951782400000) == "2000-02-29T00:00:00Z");  // leap day
  CHECK(format_rfc3339_ms(1000) == "1970-01-01T00:00:01Z");
  CHECK(format_rfc3339_ms(1001) == "1970-01-01T00:00:01.001Z");
  CHECK(format_rfc3339_ms(1010) == "1970-01-01T00:00:01.010Z");
  CHECK(format_rfc3339_ms(1100) == "1970-01-01T00:00:01.100Z");
  CHECK(format_rfc3339_ms(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_ms(253402300800000) == "10000-01-01T00:00:00Z");
  CHECK(format_rfc3339_ms(-5) == "1970-01-01T00:00:00Z");  // clamped
}

TEST_CASE("RFC 3339 texts read back as the instant they name", "[model]") {
  using fabro::model::format_rfc3339_ms;
  using fabro::model::parse_rfc3339_ms;
  for (int64_t ms : {int64_t{0}, int64_t{1776083696789}, int64_t{951782400000} /* 2000-02-29 */,
                     int64_t{4102444799999}})
    CHECK(parse_rfc3339_ms(format_rfc3339_ms(ms)) == ms);
  CHECK(parse_rfc3339_ms("2026-04-13T12:34:56.789123456Z") == int64_t{1776083696789});
  CHECK(parse_rfc3339_ms("2026-04-13T14:34:56.789+02:00") == int64_t{1776083696789});
  CHECK(parse_rfc3339_ms("2026-04-13T07:04:56.789-05:30") == int64_t{1776083696789});
  for (const char* bad : {"", "2026-04-13", "2026-04-13T12:34:56", "2026-02-30T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-13T24:00:00Z",
                          "2026-04-13T12:34:56.Z", "2026-04-13T12:34:56Zjunk",
                          "2026-04-13 12:34:56Z", "yesterday"})
    CHECK_FALSE(parse_rfc3339_ms(bad));
}
