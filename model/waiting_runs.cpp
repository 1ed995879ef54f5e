#include "model/waiting_runs.hpp"

#include "model/ulid.hpp"

namespace fabro::model {

std::optional<waiting_runs::key> waiting_runs::key_of(std::string_view id) {
  auto bits = canonical_ulid_bits(id);
  if (!bits) return std::nullopt;
  return key{bits->hi, bits->lo, bits->top};
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
