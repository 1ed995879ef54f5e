#include "model/timestamp.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace fabro::model {
namespace {

// Howard Hinnant's civil_from_days: days since epoch -> y/m/d (proleptic).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

// Howard Hinnant's days_from_civil: y/m/d (proleptic) -> days since epoch.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<int64_t> parse_rfc3339_ms(std::string_view t) {
  size_t i = 0;
  auto num = [&](size_t width, int64_t& out) {
    if (i + width > t.size()) return false;
    out = 0;
    for (size_t k = 0; k < width; ++k, ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  auto lit = [&](char c) {
    if (i >= t.size() || (t[i] != c && !(c == 'T' && t[i] == 't'))) return false;
    ++i;
    return true;
  };
  int64_t y, mo, d, h, mi, s;
  if (!num(4, y) || !lit('-') || !num(2, mo) || !lit('-') || !num(2, d) || !lit('T') ||
      !num(2, h) || !lit(':') || !num(2, mi) || !lit(':') || !num(2, s))
    return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 ||
      d > kDays[mo - 1] + (mo == 2 && is_leap(y) ? 1 : 0) || h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  int64_t ms = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    size_t start = i;
    int64_t scale = 100;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      ms += (t[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int sign = t[i++] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!num(2, oh) || !lit(':') || !num(2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + std::min<int64_t>(s, 59)) - offset_min * 60) *
             1000 + ms;
}

std::string format_rfc3339_ms(int64_t unix_ms) {
  if (unix_ms < 0) unix_ms = 0;
  int64_t secs = unix_ms / 1000;
  int ms = static_cast<int>(unix_ms % 1000);
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z, by hand (snprintf was a tenth of the
  // time to render an event envelope).
  auto digits = [](std::string& out, int64_t v, int width) {
    char tmp[20];
    int n = 0;
    auto u = static_cast<uint64_t>(v);
    do {
      tmp[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    for (int i = n; i < width; ++i) out.push_back('0');
    while (n > 0) out.push_back(tmp[--n]);
  };
  std::string out;
  out.reserve(24);
  digits(out, y, 4);
  out.push_back('-');
  digits(out, m, 2);
  out.push_back('-');
  digits(out, d, 2);
  out.push_back('T');
  digits(out, rem / 3600, 2);
  out.push_back(':');
  digits(out, rem % 3600 / 60, 2);
  out.push_back(':');
  digits(out, rem % 60, 2);
  if (ms != 0) {
    out.push_back('.');
    digits(out, ms, 3);
  }
  out.push_back('Z');
  return out;
}

}  // namespace fabro::model
