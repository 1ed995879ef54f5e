// ULIDs: the run ids of Fabro (26 chars of Crockford base32, upper case).
//
// Pure functions: callers supply the clock and the randomness, so tests can
// pin both. Parsing is case-insensitive and rejects I, L, O, U like Fabro's
// `ulid` crate (no aliasing of I/L to 1 or O to 0).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.hpp"

namespace fabro::model {

// 48-bit millisecond timestamp + 80 random bits, rendered canonically.
std::string make_ulid(uint64_t unix_ms, const std::array<uint8_t, 10>& random);

// Validates `text` and returns its canonical (upper-case) form. Fails with
// errc::invalid_request and detail "invalid length" or "invalid character"
// (Fabro's wording; callers prefix it as needed).
result<std::string> parse_ulid(std::string_view text);

// The 130 bits of a canonical ULID (26 digits of 5 bits): the low 128 in
// hi/lo and the top 2 in top. nullopt when `text` is not canonical (26
// upper-case Crockford digits). Lossless: distinct ids give distinct bits.
struct ulid_bits {
  uint64_t hi = 0, lo = 0;
  uint8_t top = 0;
};
std::optional<ulid_bits> canonical_ulid_bits(std::string_view text);

// The millisecond timestamp in a canonical ULID (top 48 of its 128 bits).
// REQUIRES: `canonical` came from parse_ulid or make_ulid.
uint64_t ulid_timestamp_ms(std::string_view canonical);

}  // namespace fabro::model
