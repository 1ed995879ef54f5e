// Retry policy of a stage and its backoff (reference §3.3, §1.6).
//
// Policy source, first hit: the node's `retry_policy` preset, else its
// `max_retries`, else the graph's `default_max_retries`, else 0 retries.
// Presets: none 1 attempt; standard 5 attempts from 5 s ×2; aggressive 5 from
// 500 ms ×2; linear 3 from 500 ms ×1; patient 3 from 2 s ×3. max_retries uses
// 5 s ×2. All cap a delay at 60 s. Pure; the jitter draw is an input.
#pragma once

#include <cstdint>

#include "model/workflow/graph.hpp"

namespace fabro::model {

struct retry_policy {
  int64_t max_attempts = 1;     // attempts are numbered 1..max_attempts
  int64_t initial_delay_ms = 5000;
  double factor = 2.0;
  int64_t max_delay_ms = 60000;
};

retry_policy build_retry_policy(const graph_node& node, const workflow_graph& g);

// Delay before attempt `attempt + 1` after attempt `attempt` (1-based):
// initial × factor^(attempt-1), capped at max_delay, then × (0.5 + draw)
// when `jitter` (draw in [0,1), so the factor is in [0.5, 1.5)).
int64_t backoff_delay_ms(const retry_policy& p, int64_t attempt, bool jitter, double draw);

}  // namespace fabro::model
