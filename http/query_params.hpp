// Reading query parameters: numbers with bounds, and Fabro's bracketed
// pagination names whether or not the client percent-encoded them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pistache/router.h>

#include "model/result.hpp"

namespace fabro::http {

// The raw value of `name` (also looked up percent-encoded, so "page[limit]"
// matches "page%5Blimit%5D"); nullopt when absent.
std::optional<std::string> query_value(const Pistache::Rest::Request& req,
                                       const std::string& name);

// `name` as an unsigned integer, `fallback` when absent, clamped to
// [lo, hi]. Fails with errc::invalid_request for a non-number.
model::result<uint64_t> query_uint(const Pistache::Rest::Request& req, const std::string& name,
                                   uint64_t fallback, uint64_t lo, uint64_t hi);

}  // namespace fabro::http
