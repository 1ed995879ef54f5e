#include "model/engine/failure.hpp"

#include <cctype>

namespace fabro::model {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_any(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s.find(w) != std::string::npos) return true;
  return false;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string classify_failure(std::string_view message) {
  auto m = lower(message);
  if (has_any(m, {"cancel", "interrupt"})) return "canceled";
  if (has_any(m, {"timeout", "timed out", "rate limit", "connection refused",
                  "connection reset", " 500", " 502", " 503", " 504", "temporary failure",
                  "try again", "service unavailable", "econnreset", "overloaded"}))
    return "transient_infra";
  if (has_any(m, {"turn limit", "token limit", "context length", "budget", "quota exceeded",
                  "max tokens"}))
    return "budget_exhausted";
  if (m.find("scope violation") != std::string::npos) return "structural";
  return "deterministic";
}

bool counts_for_circuit_breaker(std::string_view failure_class) {
  return failure_class == "deterministic" || failure_class == "structural";
}

std::string failure_signature(std::string_view node_id, std::string_view failure_class,
                              std::string_view reason) {
  auto s = lower(reason);
  auto b = s.find_first_not_of(" \t\r\n");
  s = b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    while (j < s.size() && is_hex(s[j])) ++j;
    // A hex run counts only if it has a letter or is long enough to be an id.
    if (j - i >= 7 && j - i <= 64) {
      bool all_digits = true;
      for (size_t k = i; k < j; ++k) all_digits &= is_digit(s[k]);
      if (!all_digits) {
        out += "<hex>";
        i = j;
        continue;
      }
    }
    if (is_digit(s[i])) {
      while (i < s.size() && is_digit(s[i])) ++i;
      out += "<n>";
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (!out.empty() && out.back() == ',') continue;  // ", " -> ","
      out += ' ';
      continue;
    }
    out += s[i++];
  }
  if (out.size() > 240) out.resize(240);
  return std::string(node_id) + "|" + std::string(failure_class) + "|" + out;
}

}  // namespace fabro::model
