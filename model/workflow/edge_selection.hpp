// Public: model layer (installed for embedders under include/fabro/).
// Next-edge selection after a node finishes (reference §1.9), as a pure
// function for the executor.
//
// Tiers, first hit wins:
//   0. (executor, not here) an outcome's jump_to_node bypasses selection;
//   1. no outgoing edges → none;
//   2. condition: every edge with a non-empty condition that evaluates true
//      is a candidate; pick one;
//   3. preferred_label: the first unconditional edge, in file order, whose
//      normalized label equals the normalized preferred label;
//   4. suggested_next: per suggested ID in order, the first unconditional
//      edge to it;
//   5. a human node whose outcome failed with neither preferred label nor
//      suggestions → none (fail closed, no fall-through);
//   6. unconditional: pick one among all unconditional edges — a failed
//      non-human node does fall through here;
//   7. none.
// "Pick" follows the node's `selection`: deterministic = highest weight, ties
// to the smallest target ID (byte order); random = weighted draw where a
// weight ≤ 0 counts as 1 (any other selection value is deterministic).
// Pure (the random draw is an input); thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/workflow/condition.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// The parts of a stage outcome that routing reads.
struct routing_outcome {
  std::string status = "succeeded";  // succeeded|failed|partially_succeeded|skipped
  std::string preferred_label;       // "" = none
  std::vector<std::string> suggested_next_ids;
};

enum class selection_reason { condition, preferred_label, suggested_next,
                              unconditional };

// "condition", "preferred_label", "suggested_next", "unconditional".
const char* to_string(selection_reason r);

struct edge_choice {
  std::size_t edge_index = 0;  // into workflow_graph::edges()
  selection_reason reason = selection_reason::unconditional;
};

// Chooses the edge to follow from `node_id`. Conditions are evaluated on
// `context` with its outcome and preferred_label replaced by `outcome`'s.
// `random_draw` in [0, 1) is used only for selection=random.
// Nothing when the run cannot continue along an edge (see tiers above).
std::optional<edge_choice> select_edge(const workflow_graph& g,
                                       std::string_view node_id,
                                       const routing_outcome& outcome,
                                       const condition_context& context,
                                       double random_draw = 0.0);

// Label normalization for tier 3: trim, lowercase, then strip one leading
// accelerator `[K] `, `K) ` or `K - ` (K one character). "[A] Approve" →
// "approve".
std::string normalize_label(std::string_view label);

}  // namespace fabro::model
