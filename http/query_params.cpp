#include "http/query_params.hpp"

#include <algorithm>
#include <cctype>

namespace fabro::http {

std::optional<std::string> query_value(const Pistache::Rest::Request& req,
                                       const std::string& name) {
  if (auto v = req.query().get(name)) return v;
  std::string encoded;
  for (char c : name) {
    if (c == '[') encoded += "%5B";
    else if (c == ']') encoded += "%5D";
    else encoded += c;
  }
  if (encoded == name) return std::nullopt;
  if (auto v = req.query().get(encoded)) return v;
  std::string lower = encoded;  // %5b is as valid as %5B
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto it = req.query().parameters_begin(); it != req.query().parameters_end(); ++it) {
    std::string k = it->first;
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (k == lower) return it->second;
  }
  return std::nullopt;
}

model::result<uint64_t> query_uint(const Pistache::Rest::Request& req, const std::string& name,
                                   uint64_t fallback, uint64_t lo, uint64_t hi) {
  auto raw = query_value(req, name);
  if (!raw) return fallback;
  if (raw->empty() || raw->size() > 19 ||
      !std::all_of(raw->begin(), raw->end(), [](unsigned char c) { return std::isdigit(c); }))
    return model::make_problem(model::errc::invalid_request,
                               "Invalid " + name + ": expected a non-negative integer.");
  uint64_t v = std::stoull(*raw);
  return std::clamp(v, lo, hi);
}

model::result<page_params> query_page(const Pistache::Rest::Request& req) {
  auto limit = query_uint(req, "page[limit]", 20, 1, 100);
  if (!limit) return limit.error();
  auto offset = query_uint(req, "page[offset]", 0, 0, UINT64_MAX - 100);
  if (!offset) return offset.error();
  return page_params{*limit, *offset};
}

}  // namespace fabro::http
