#include "model/ulid.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("a ULID is 26 upper-case Crockford characters carrying its timestamp", "[model]") {
  std::array<uint8_t, 10> rnd{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto id = make_ulid(1776083696789ULL, rnd);
  CHECK(id.size() == 26);
  CHECK(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
  CHECK(ulid_timestamp_ms(id) == 1776083696789ULL);
}

TEST_CASE("parsing a ULID is case-insensitive and canonicalises to upper case", "[model]") {
  auto id = parse_ulid("01jrz3ndektsv4rrffq69g5fav");
  REQUIRE(id);
  CHECK(*id == "01JRZ3NDEKTSV4RRFFQ69G5FAV");
}

TEST_CASE("a ULID of the wrong length or with I L O U is rejected in Fabro's words", "[model]") {
  CHECK(parse_ulid("abc").error().detail == "invalid length");
  CHECK(parse_ulid("01JRZ3NDEKTSV4RRFFQ69G5FAU").error().detail == "invalid character");
  CHECK(parse_ulid("01JRZ3NDEKTSV4RRFFQ69G5FAO").error().detail == "invalid character");
  CHECK(parse_ulid("01JRZ3NDEKTSV4RRFFQ69G5FA-").error().detail == "invalid character");
}
