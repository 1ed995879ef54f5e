// A log-linear latency histogram (HdrHistogram-like) for the load
// generator (`fabro-orchestrator bench`).
//
// Values (nanoseconds, or any unit) below 128 are counted exactly; above,
// each power of two [2^k, 2^(k+1)) is split into 128 equal sub-buckets, so a
// bucket is never wider than 1/128 of its lower bound. A percentile is
// reported as its bucket's midpoint (clamped to the exact min and max), so
// it is within 1/256 (< 0.4 %) of the exact nearest-rank value. Fixed size
// (~59 KB), O(1) record, no allocation after construction.
//
// Not thread-safe: one histogram per load thread; merge() at the end.
#pragma once

#include <cstdint>
#include <vector>

namespace fabro::model {

class latency_histogram {
 public:
  latency_histogram();

  // Counts one value.
  void record(uint64_t value);
  // Adds every value counted by `other`.
  void merge(const latency_histogram& other);
  // Forgets every value.
  void reset();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }   // exact; 0 when empty
  uint64_t min() const;                   // exact; 0 when empty
  double mean() const;                    // exact; 0 when empty

  // The nearest-rank value at percentile `p` (0 < p <= 100): the smallest
  // counted v with at least p % of the values <= v, within 1/256 relative
  // error; p = 100 gives max() exactly. 0 when empty.
  uint64_t percentile(double p) const;

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
  long double sum_ = 0;
};

}  // namespace fabro::model
