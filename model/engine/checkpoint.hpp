// The executor state saved after every executed stage (reference §3.6), so a
// later run can resume from `next_node_id`. Plain value + JSON codec (the
// store keeps the latest checkpoint of each run).
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <string>
#include <vector>

#include "model/result.hpp"

namespace fabro::model {

struct checkpoint {
  std::string current_node;                          // the stage just executed
  std::string next_node_id;                          // "" = the run ends here
  std::vector<std::string> completed_nodes;          // may repeat
  std::map<std::string, int64_t> node_retries;       // attempts - 1, when > 0
  std::map<std::string, int64_t> node_visits;        // never reset
  std::map<std::string, std::string> node_outcomes;  // latest status per node
  std::map<std::string, std::string> context_values;
  std::map<std::string, int64_t> loop_failure_signatures;  // circuit breaker
  int64_t timestamp_ms = 0;  // when it was taken (Unix ms); 0 = not recorded (older stores)
};

// JSON object with the fields above (keys as named).
std::string to_json(const checkpoint& c);
// Reads what to_json or checkpoint_event_json wrote (the latter with an
// empty context_values). Fails with errc::internal for anything else.
result<checkpoint> parse_checkpoint(std::string_view json);
// Fabro's RunCheckpoint (GET /api/v1/runs/{id}/checkpoint): timestamp
// (RFC 3339; the Unix epoch when not recorded), current_node,
// completed_nodes, node_retries, context_values, node_outcomes,
// loop_failure_signatures, next_node_id (absent when the run ends there)
// and our node_visits.
std::string api_checkpoint_json(const checkpoint& c);
// What a checkpoint.completed event carries: everything but
// context_values. With `prev` (the checkpoint the same execution emitted
// before) and `c` an extension of it — prev's completed_nodes a prefix of
// c's, every key of prev's maps still in c's — only what changed:
// "delta":true, current_node, next_node_id, the completed_nodes appended
// and the map entries added or changed. So a run's events grow linearly
// with its stages, not quadratically (issue 11 item 6). Otherwise (the
// first checkpoint of an execution, after a loop restart) the whole
// checkpoint, as Fabro writes it.
std::string checkpoint_event_json(const checkpoint& c, const checkpoint* prev = nullptr);
// The checkpoint a checkpoint.completed event's properties describe: a whole
// one as it is, a delta applied to `prev` (the checkpoint of the run's
// previous checkpoint.completed). Fails with errc::internal for a delta
// without `prev` or anything checkpoint_event_json does not write.
result<checkpoint> apply_checkpoint_event(std::string_view json, const checkpoint* prev);

}  // namespace fabro::model
