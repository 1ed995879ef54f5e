// When each request of an open-loop load is due (`bench --rate R`).
//
// Requests are numbered 0, 1, 2 ... across the whole load and request j is
// due at j / R seconds after the start, whatever the answers do. A load
// thread of `threads` takes every threads-th request from `first`, so the
// threads together keep the constant rate. Latency is measured from the due
// time (coordinated-omission correction): a request that has to wait for a
// free connection counts the wait.
//
// Immutable value; pure.
#pragma once

#include <cstdint>

namespace fabro::model {

class open_loop_schedule {
 public:
  // REQUIRES: rate > 0, threads >= 1, first < threads.
  open_loop_schedule(double rate, uint64_t threads = 1, uint64_t first = 0)
      : rate_(rate), threads_(threads), first_(first) {}

  // Nanoseconds after the start at which this thread's k-th request
  // (k = 0, 1, ...) is due.
  uint64_t due_ns(uint64_t k) const;

  // How many of this thread's requests are due at `elapsed_ns` (due time
  // <= elapsed_ns).
  uint64_t due_by(uint64_t elapsed_ns) const;

  // How many of the first `total` requests of the load belong to this thread.
  uint64_t share_of(uint64_t total) const;

 private:
  double rate_;
  uint64_t threads_;
  uint64_t first_;
};

// How many requests a load of `rate` per second schedules in `seconds`:
// those due strictly before the end.
uint64_t requests_in(double rate, double seconds);

}  // namespace fabro::model
