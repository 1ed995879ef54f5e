#include "app/bench/run_tracker.hpp"

#include <algorithm>

namespace fabro::app {

void run_tracker::acknowledged(const std::string& id, uint64_t start_ns) {
  std::lock_guard<std::mutex> lock(m_);
  auto& e = runs_[id];
  if (e.acknowledged) return;  // the same run id answered twice (a manifest with run_id)
  e.acknowledged = true;
  e.start_ns = start_ns;
  if (e.ended) last_end_ns_ = std::max(last_end_ns_, e.end_ns);
  else ++unfinished_;
}

void run_tracker::ended(const std::string& id, uint64_t end_ns, bool completed) {
  std::lock_guard<std::mutex> lock(m_);
  auto& e = runs_[id];
  if (e.ended) return;
  e.ended = true;
  e.end_ns = end_ns;
  e.completed = completed;
  if (e.acknowledged) {
    --unfinished_;
    last_end_ns_ = std::max(last_end_ns_, end_ns);
  }
}

uint64_t run_tracker::unfinished() const {
  std::lock_guard<std::mutex> lock(m_);
  return unfinished_;
}

uint64_t run_tracker::last_end_ns() const {
  std::lock_guard<std::mutex> lock(m_);
  return last_end_ns_;
}

model::follow_report run_tracker::report(uint64_t origin_ns) const {
  std::lock_guard<std::mutex> lock(m_);
  model::follow_report r;
  for (const auto& [id, e] : runs_) {
    if (!e.acknowledged) continue;
    if (!e.ended) {
      ++r.unfinished;
      continue;
    }
    ++(e.completed ? r.completed : r.failed);
    r.latency_ns.record(e.end_ns > e.start_ns ? e.end_ns - e.start_ns : 0);
  }
  if (last_end_ns_ > origin_ns) r.duration_s = (last_end_ns_ - origin_ns) / 1e9;
  return r;
}

}  // namespace fabro::app
