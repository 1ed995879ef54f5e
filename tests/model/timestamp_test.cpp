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
