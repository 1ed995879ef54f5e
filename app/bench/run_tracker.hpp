// Matches acknowledged runs with the end events seen on the attach stream,
// for `bench --follow`: the load reports each 2xx answer's run id with its
// request's start, the follower reports each run.completed / run.failed.
// Either may come first (a quick run can end before its answer is read).
//
// Thread-safe (one mutex): the load threads and the follower call it.
#pragma once

#include "model/bench/bench_report.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fabro::app {

class run_tracker {
 public:
  // The load acknowledged run `id` for a request that began at `start_ns`.
  void acknowledged(const std::string& id, uint64_t start_ns);
  // The stream saw run `id` end at `end_ns` (completed: run.completed).
  void ended(const std::string& id, uint64_t end_ns, bool completed);
  // Acknowledged runs whose end has not been seen yet.
  uint64_t unfinished() const;
  // monotonic ns of the last end of an acknowledged run; 0 = none yet.
  uint64_t last_end_ns() const;
  // Counts and end-to-end latencies of the acknowledged runs; duration
  // from `origin_ns` to the last end.
  model::follow_report report(uint64_t origin_ns) const;

 private:
  struct entry {
    uint64_t start_ns = 0, end_ns = 0;
    bool acknowledged = false, ended = false, completed = false;
  };
  mutable std::mutex m_;
  std::unordered_map<std::string, entry> runs_;
  uint64_t unfinished_ = 0;
  uint64_t last_end_ns_ = 0;
};

}  // namespace fabro::app
