#include "model/waiting_runs.hpp"

namespace fabro::model {
namespace {

// Canonical digits only: 0-9 and A-Z without I, L, O, U.
int canonical_digit(char c) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int i = 0; i < 32; ++i)
    if (kAlphabet[i] == c) return i;
  return -1;
}

}  // namespace

std::optional<waiting_runs::key> waiting_runs::key_of(std::string_view id) {
  if (id.size() != 26) return std::nullopt;
  unsigned __int128 v = 0;
  key k;
  for (size_t i = 0; i < 26; ++i) {
    int d = canonical_digit(id[i]);
    if (d < 0) return std::nullopt;
    if (i == 0) {
      k.top = static_cast<uint8_t>(d >> 3);  // 130 - 128 = 2 bits above v
      d &= 7;
    }
    v = (v << 5) | static_cast<unsigned>(d);
  }
  k.hi = static_cast<uint64_t>(v >> 64);
  k.lo = static_cast<uint64_t>(v);
  return k;
}

bool waiting_runs::put(std::string_view id, run_status status) {
  auto k = key_of(id);
  if (!k) return false;
  bool queued = status == run_status::queued;
  auto [it, added] = map_.try_emplace(*k, status);
  if (!added) {
    if (it->second == run_status::queued) --queued_;
    it->second = status;
  }
  if (queued) ++queued_;
  return true;
}

std::optional<run_status> waiting_runs::status_of(std::string_view id) const {
  auto k = key_of(id);
  if (!k) return std::nullopt;
  auto it = map_.find(*k);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

bool waiting_runs::erase(std::string_view id) {
  auto k = key_of(id);
  if (!k) return false;
  auto it = map_.find(*k);
  if (it == map_.end()) return false;
  if (it->second == run_status::queued) --queued_;
  map_.erase(it);
  return true;
}

}  // namespace fabro::model
