#include "model/engine/goal_gates.hpp"

namespace fabro::model {

std::optional<std::string> failed_goal_gate(const workflow_graph& g,
                                            const std::map<std::string, stage_status>& latest) {
  for (const auto& n : g.nodes()) {
    if (!n.goal_gate()) continue;
    auto it = latest.find(n.id);
    if (it == latest.end()) continue;
    if (it->second != stage_status::succeeded &&
        it->second != stage_status::partially_succeeded)
      return n.id;
  }
  return std::nullopt;
}

std::optional<std::string> retry_target_for(const workflow_graph& g, const std::string& node_id) {
  const graph_node* n = g.find_node(node_id);
  for (auto candidate : {n ? n->retry_target() : std::nullopt,
                         n ? n->fallback_retry_target() : std::nullopt, g.retry_target(),
                         g.fallback_retry_target()}) {
    if (candidate && g.find_node(*candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace fabro::model
