#include "model/timestamp.hpp"

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

}  // namespace

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
