// The runs that wait without an actor (DESIGN §3, issue 13): submitted runs
// and queued runs, by id, with their status. A waiting run is a line in an
// index, not a running thing: its record is the stored one, its place in
// the queue is the queue manager's. About 50 bytes per run (a 130-bit key
// packed from the canonical ULID, no string), so a million waiting runs fit
// in tens of megabytes.
//
// Not thread-safe; owned by the orchestrator actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "model/run_status.hpp"

namespace fabro::model {

class waiting_runs {
 public:
  // Adds `id` (a canonical ULID: 26 upper-case Crockford base32 digits) as
  // `status`, or changes its status. REQUIRES: status is submitted or
  // queued. Returns false, changing nothing, when `id` is not canonical.
  bool put(std::string_view id, run_status status);

  // The status of `id`; nullopt when it is not waiting here.
  std::optional<run_status> status_of(std::string_view id) const;

  // Removes `id`; false when it was not here.
  bool erase(std::string_view id);

  uint64_t size() const { return map_.size(); }
  uint64_t queued() const { return queued_; }
  uint64_t submitted() const { return map_.size() - queued_; }

  void reserve(uint64_t n) { map_.reserve(n); }

 private:
  struct key {
    uint64_t hi = 0, lo = 0;  // the low 128 of the id's 130 bits
    uint8_t top = 0;          // the top 2 bits
    bool operator==(const key& o) const { return hi == o.hi && lo == o.lo && top == o.top; }
  };
  struct key_hash {
    size_t operator()(const key& k) const noexcept {
      // The low bits are random in a ULID; mix in the rest anyway.
      return static_cast<size_t>(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ULL) ^ k.top);
    }
  };
  static std::optional<key> key_of(std::string_view id);

  std::unordered_map<key, run_status, key_hash> map_;
  uint64_t queued_ = 0;
};

}  // namespace fabro::model
