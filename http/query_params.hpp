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

// Fabro's page[limit] (default 20, clamped to 1..100) and page[offset]
// (default 0).
struct page_params {
  uint64_t limit = 20;
  uint64_t offset = 0;
};
// Fails with errc::invalid_request for a non-number.
model::result<page_params> query_page(const Pistache::Rest::Request& req);

}  // namespace fabro::http
