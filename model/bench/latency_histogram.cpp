#include "model/bench/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace fabro::model {
namespace {

constexpr int kSubBits = 7;  // 128 sub-buckets per power of two
constexpr uint64_t kSub = uint64_t{1} << kSubBits;
// Values < kSub take one bucket each; every power of two from 2^7 to 2^63
// then takes kSub buckets.
constexpr size_t kBuckets = kSub + (64 - kSubBits) * kSub;

int floor_log2(uint64_t v) { return 63 - __builtin_clzll(v); }

size_t bucket_of(uint64_t v) {
  if (v < kSub) return static_cast<size_t>(v);
  int shift = floor_log2(v) - kSubBits;
  return kSub + static_cast<size_t>(shift) * kSub + static_cast<size_t>((v >> shift) - kSub);
}

// The midpoint of bucket `b`: exact for the linear range.
uint64_t value_of(size_t b) {
  if (b < kSub) return b;
  size_t shift = (b - kSub) / kSub;
  uint64_t lower = (kSub + (b - kSub) % kSub) << shift;
  uint64_t width = uint64_t{1} << shift;
  return lower + (width - 1) / 2;
}

}  // namespace

latency_histogram::latency_histogram() : counts_(kBuckets, 0) {}

void latency_histogram::record(uint64_t value) {
  ++counts_[bucket_of(value)];
  ++count_;
  max_ = std::max(max_, value);
  min_ = std::min(min_, value);
  sum_ += value;
}

void latency_histogram::merge(const latency_histogram& other) {
  for (size_t b = 0; b < kBuckets; ++b) counts_[b] += other.counts_[b];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
  sum_ += other.sum_;
}

void latency_histogram::reset() { *this = latency_histogram(); }

uint64_t latency_histogram::min() const { return count_ == 0 ? 0 : min_; }

double latency_histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

uint64_t latency_histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p >= 100) return max_;
  // Nearest rank: the ceil(p/100 * n)-th smallest value (at least the 1st).
  auto rank = static_cast<uint64_t>(std::ceil(p * static_cast<double>(count_) / 100.0));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::clamp(value_of(b), min_, max_);
  }
  return max_;
}

}  // namespace fabro::model
