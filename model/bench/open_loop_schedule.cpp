#include "model/bench/open_loop_schedule.hpp"

#include <cmath>

namespace fabro::model {

uint64_t open_loop_schedule::due_ns(uint64_t k) const {
  long double global = static_cast<long double>(k) * threads_ + first_;
  return static_cast<uint64_t>(std::floor(global * 1e9L / rate_));
}

uint64_t open_loop_schedule::due_by(uint64_t elapsed_ns) const {
  // Global requests 0..g are due, g = floor(elapsed * rate); ours are the
  // ones with index = first (mod threads). Correct the float estimate so
  // the answer agrees exactly with due_ns().
  auto g = static_cast<uint64_t>(std::floor(static_cast<long double>(elapsed_ns) * rate_ / 1e9L));
  uint64_t n = g < first_ ? 0 : (g - first_) / threads_ + 1;
  while (n > 0 && due_ns(n - 1) > elapsed_ns) --n;
  while (due_ns(n) <= elapsed_ns) ++n;
  return n;
}

uint64_t open_loop_schedule::share_of(uint64_t total) const {
  return total <= first_ ? 0 : (total - first_ + threads_ - 1) / threads_;
}

uint64_t requests_in(double rate, double seconds) {
  return static_cast<uint64_t>(std::ceil(static_cast<long double>(rate) * seconds - 1e-9L));
}

}  // namespace fabro::model
