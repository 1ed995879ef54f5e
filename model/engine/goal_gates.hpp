// Goal gates and retry targets (reference §3.1 step 2, §3.4). Pure.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "model/engine/stage_outcome.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// The first goal-gate node (graph order) whose latest outcome is neither
// succeeded nor partially_succeeded; gates that never ran are not checked.
std::optional<std::string> failed_goal_gate(const workflow_graph& g,
                                            const std::map<std::string, stage_status>& latest);

// Where a failed node jumps: its `retry_target`, its `fallback_retry_target`,
// the graph's `retry_target`, the graph's `fallback_retry_target` — the
// first that names an existing node.
std::optional<std::string> retry_target_for(const workflow_graph& g, const std::string& node_id);

}  // namespace fabro::model
