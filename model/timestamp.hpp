// RFC 3339 UTC timestamps as Fabro writes them (chrono's to_rfc3339 with
// `Z`): "2026-04-13T12:34:56.789Z", the fraction only when non-zero.
// Pure: the caller supplies the instant as milliseconds since the epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fabro::model {

// Formats `unix_ms` (milliseconds since 1970-01-01T00:00:00Z, >= 0).
std::string format_rfc3339_ms(int64_t unix_ms);

// Reads an RFC 3339 date-time ("2026-04-13T12:34:56.789Z", any fraction,
// `Z` or a ±HH:MM offset) as Unix milliseconds (fraction truncated to ms,
// a leap second read as :59). nullopt for anything else, including
// impossible dates.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace fabro::model
