// Public: model layer (installed for embedders under include/fabro/).
// The in-memory workflow graph built from a .fabro source (reference §1.3-1.7).
//
// A workflow_graph holds the graph attributes, its nodes in order of first
// mention, and its edges in file order (edge order matters for routing and
// human gates). Attributes keep their lexical type (attr_value.hpp); the
// accessors below apply Fabro's defaults and silently ignore values of the
// wrong type, e.g. `goal_gate="true"` reads as false.
//
// Built by parse_workflow() (graph_builder.hpp) or by hand in tests.
// Plain values; immutable after construction by convention; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/workflow/attr_value.hpp"
#include "model/workflow/handler_type.hpp"

namespace fabro::model {

// 1-based source position; 0/0 when unknown (graphs built in code).
struct source_pos {
  uint32_t line = 0;
  uint32_t column = 0;
};

struct graph_node {
  std::string id;
  attr_map attrs;
  // CSS classes: the `class` attribute split on commas, then the classes
  // derived from enclosing subgraph labels; trimmed, no duplicates.
  std::vector<std::string> classes;
  source_pos pos;  // first mention in the source

  // `label` if it is a string, else the node ID (a `label="5m"` is a
  // duration and therefore falls back to the ID, as in Fabro).
  std::string label() const;
  // `shape` if it is a string, else "box".
  std::string shape() const;
  // Explicit `type` string; empty when absent or not a string.
  std::string type() const;
  // Resolved handler: registered `type`, else shape, else agent.
  handler_type handler() const;

  // Validation's view (§1.5): shape Mdiamond or ID start/Start.
  bool looks_like_start() const;
  // Validation's view: shape Msquare or ID exit/Exit/end/End.
  bool looks_like_terminal() const;
  // Executor's view (routing.rs::is_terminal): shape Msquare or handler exit.
  bool is_terminal() const;

  std::optional<std::string> prompt() const;   // `prompt`
  std::optional<std::string> script() const;   // `script`, else `tool_command`
  std::optional<int64_t> timeout_ms() const;   // `timeout` (duration)
  std::optional<int64_t> duration_ms() const;  // `duration` (wait nodes)
  std::optional<int64_t> max_visits() const;   // `max_visits` (int)
  std::optional<int64_t> max_retries() const;  // `max_retries` (int)
  std::optional<std::string> retry_policy() const;
  std::optional<std::string> retry_target() const;
  std::optional<std::string> fallback_retry_target() const;
  bool goal_gate() const;      // Boolean `goal_gate`; false otherwise
  bool auto_status() const;    // Boolean `auto_status`; false otherwise
  bool allow_partial() const;  // Boolean `allow_partial`; false otherwise
  // `selection` string, default "deterministic".
  std::string selection() const;
  std::optional<std::string> fidelity() const;
  std::optional<std::string> thread_id() const;
  // `join_policy` is "first_success" or else "wait_all" (unknown → wait_all).
  std::string join_policy() const;
  // `max_parallel` integer, default 4, at least 1.
  int64_t max_parallel() const;
  // `language`, default "shell".
  std::string language() const;
};

struct graph_edge {
  std::string from;
  std::string to;
  attr_map attrs;
  source_pos pos;  // position of the source node ID in the edge statement

  std::optional<std::string> label() const;
  // `condition` string; empty when absent (empty = unconditional).
  std::string condition() const;
  bool is_conditional() const { return !condition().empty(); }
  int64_t weight() const;  // Integer `weight`, default 0 (`"5"` reads as 0)
  std::optional<std::string> fidelity() const;
  std::optional<std::string> thread_id() const;
  bool loop_restart() const;  // Boolean; false otherwise
  bool freeform() const;      // Boolean; false otherwise
};

class workflow_graph {
 public:
  std::string name;  // the digraph name
  attr_map attrs;    // graph-level attributes

  const std::vector<graph_node>& nodes() const { return nodes_; }
  const std::vector<graph_edge>& edges() const { return edges_; }

  // The node with this ID; nullptr when absent. Pointers stay valid until
  // the next add_node() call.
  const graph_node* find_node(std::string_view id) const;
  graph_node* find_node(std::string_view id);

  // Appends a node. REQUIRES: no node with the same ID exists.
  graph_node& add_node(graph_node n);
  // Returns the node with this ID, creating it with `defaults` when absent.
  // `created` (optional) tells whether it was created.
  graph_node& ensure_node(std::string_view id, const attr_map& defaults,
                          source_pos pos, bool* created = nullptr);
  // Appends an edge (endpoints need not exist: rule edge_target_exists).
  void add_edge(graph_edge e);

  // Indices into edges() of the edges leaving / entering `id`, file order.
  // O(degree): adjacency is indexed as edges are added.
  std::vector<std::size_t> outgoing(std::string_view id) const;
  std::vector<std::size_t> incoming(std::string_view id) const;

  // Executor start: the first node with shape Mdiamond, else the node `start`
  // or `Start`; nullptr when none.
  const graph_node* find_start() const;

  // Graph attributes with their code defaults (§1.4).
  std::string goal() const;                     // default ""
  std::optional<std::string> rankdir() const;
  std::string model_stylesheet() const;         // default ""
  int64_t default_max_retries() const;          // default 0
  std::optional<std::string> retry_target() const;
  std::optional<std::string> fallback_retry_target() const;
  std::string default_fidelity() const;         // default "compact"
  std::optional<std::string> default_thread() const;
  std::optional<std::string> default_model() const;
  std::optional<std::string> default_provider() const;
  int64_t max_node_visits() const;              // default 0 = off
  int64_t stall_timeout_ms() const;             // default 1800000; 0 = off
  int64_t loop_restart_signature_limit() const; // default 3, at least 1

 private:
  std::vector<graph_node> nodes_;
  std::vector<graph_edge> edges_;
  std::unordered_map<std::string, std::size_t> index_;
  // Edge indices by source / target node ID, in file order.
  std::unordered_map<std::string, std::vector<std::size_t>> out_edges_, in_edges_;
};

}  // namespace fabro::model
