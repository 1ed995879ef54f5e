#include "model/ulid.hpp"

namespace fabro::model {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Value of a Crockford base32 digit, or -1 (case-insensitive, no aliases).
int digit_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (int i = 0; i < 32; ++i)
    if (kAlphabet[i] == c) return i;
  return -1;
}

}  // namespace

std::string make_ulid(uint64_t unix_ms, const std::array<uint8_t, 10>& random) {
  // 128 bits as two halves: hi = 48-bit time + top 16 random bits.
  unsigned __int128 v = static_cast<unsigned __int128>(unix_ms & 0xFFFFFFFFFFFFULL) << 80;
  for (int i = 0; i < 10; ++i)
    v |= static_cast<unsigned __int128>(random[i]) << (8 * (9 - i));
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[i] = kAlphabet[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return out;
}

std::optional<ulid_bits> canonical_ulid_bits(std::string_view text) {
  if (text.size() != 26) return std::nullopt;
  unsigned __int128 v = 0;
  ulid_bits out;
  for (size_t i = 0; i < 26; ++i) {
    int d = text[i] >= 'a' && text[i] <= 'z' ? -1 : digit_value(text[i]);
    if (d < 0) return std::nullopt;
    if (i == 0) {
      out.top = static_cast<uint8_t>(d >> 3);  // 130 - 128 = 2 bits above v
      d &= 7;
    }
    v = (v << 5) | static_cast<unsigned>(d);
  }
  out.hi = static_cast<uint64_t>(v >> 64);
  out.lo = static_cast<uint64_t>(v);
  return out;
}

result<std::string> parse_ulid(std::string_view text) {
  if (text.size() != 26) return make_problem(errc::invalid_request, "invalid length");
  std::string out(26, '0');
  for (size_t i = 0; i < 26; ++i) {
    int d = digit_value(text[i]);
    if (d < 0) return make_problem(errc::invalid_request, "invalid character");
    out[i] = kAlphabet[d];
  }
  return out;
}

uint64_t ulid_timestamp_ms(std::string_view canonical) {
  // The first 10 chars hold 50 bits; the timestamp is the low 48 of them
  // (a first digit >= 8 loses its top bits, as in Fabro).
  uint64_t v = 0;
  for (size_t i = 0; i < 10 && i < canonical.size(); ++i)
    v = (v << 5) | static_cast<uint64_t>(digit_value(canonical[i]) & 31);
  return v & 0xFFFFFFFFFFFFULL;
}

}  // namespace fabro::model
