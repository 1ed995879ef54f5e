#include "model/engine/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace fabro::model {

retry_policy build_retry_policy(const graph_node& node, const workflow_graph& g) {
  if (auto preset = node.retry_policy()) {
    if (*preset == "none") return {1, 5000, 2.0, 60000};
    if (*preset == "standard") return {5, 5000, 2.0, 60000};
    if (*preset == "aggressive") return {5, 500, 2.0, 60000};
    if (*preset == "linear") return {3, 500, 1.0, 60000};
    if (*preset == "patient") return {3, 2000, 3.0, 60000};
  }
  int64_t retries = node.max_retries().value_or(g.default_max_retries());
  return {std::max<int64_t>(retries, 0) + 1, 5000, 2.0, 60000};
}

int64_t backoff_delay_ms(const retry_policy& p, int64_t attempt, bool jitter, double draw) {
  double d = static_cast<double>(p.initial_delay_ms) *
             std::pow(p.factor, static_cast<double>(std::max<int64_t>(attempt - 1, 0)));
  d = std::min(d, static_cast<double>(p.max_delay_ms));
  if (jitter) d *= 0.5 + std::clamp(draw, 0.0, 0.999999);
  return static_cast<int64_t>(d);
}

}  // namespace fabro::model
