#include "model/workflow/graph.hpp"

#include <algorithm>
#include <cassert>

namespace fabro::model {

std::string graph_node::label() const {
  return get_string(attrs, "label").value_or(id);
}
std::string graph_node::shape() const {
  return get_string(attrs, "shape").value_or("box");
}
std::string graph_node::type() const {
  return get_string(attrs, "type").value_or("");
}
handler_type graph_node::handler() const {
  return resolve_handler_type(type(), shape());
}

bool graph_node::looks_like_start() const {
  return shape() == "Mdiamond" || id == "start" || id == "Start";
}
bool graph_node::looks_like_terminal() const {
  return shape() == "Msquare" || id == "exit" || id == "Exit" ||
         id == "end" || id == "End";
}
bool graph_node::is_terminal() const {
  return shape() == "Msquare" || handler() == handler_type::exit;
}

std::optional<std::string> graph_node::prompt() const {
  return get_string(attrs, "prompt");
}
std::optional<std::string> graph_node::script() const {
  // tool_command is the legacy alias; an explicit script wins.
  if (auto s = get_string(attrs, "script")) return s;
  return get_string(attrs, "tool_command");
}
std::optional<int64_t> graph_node::timeout_ms() const {
  return get_duration_ms(attrs, "timeout");
}
std::optional<int64_t> graph_node::duration_ms() const {
  return get_duration_ms(attrs, "duration");
}
std::optional<int64_t> graph_node::max_visits() const {
  return get_int(attrs, "max_visits");
}
std::optional<int64_t> graph_node::max_retries() const {
  return get_int(attrs, "max_retries");
}
std::optional<std::string> graph_node::retry_policy() const {
  return get_string(attrs, "retry_policy");
}
std::optional<std::string> graph_node::retry_target() const {
  return get_string(attrs, "retry_target");
}
std::optional<std::string> graph_node::fallback_retry_target() const {
  return get_string(attrs, "fallback_retry_target");
}
bool graph_node::goal_gate() const {
  return get_bool(attrs, "goal_gate").value_or(false);
}
bool graph_node::auto_status() const {
  return get_bool(attrs, "auto_status").value_or(false);
}
bool graph_node::allow_partial() const {
  return get_bool(attrs, "allow_partial").value_or(false);
}
std::string graph_node::selection() const {
  return get_string(attrs, "selection").value_or("deterministic");
}
std::optional<std::string> graph_node::fidelity() const {
  return get_string(attrs, "fidelity");
}
std::optional<std::string> graph_node::thread_id() const {
  return get_string(attrs, "thread_id");
}
std::string graph_node::join_policy() const {
  auto p = get_string(attrs, "join_policy");
  return p && *p == "first_success" ? "first_success" : "wait_all";
}
int64_t graph_node::max_parallel() const {
  return std::max<int64_t>(1, get_int(attrs, "max_parallel").value_or(4));
}
std::string graph_node::language() const {
  return get_string(attrs, "language").value_or("shell");
}

std::optional<std::string> graph_edge::label() const {
  return get_string(attrs, "label");
}
std::string graph_edge::condition() const {
  return get_string(attrs, "condition").value_or("");
}
int64_t graph_edge::weight() const {
  return get_int(attrs, "weight").value_or(0);
}
std::optional<std::string> graph_edge::fidelity() const {
  return get_string(attrs, "fidelity");
}
std::optional<std::string> graph_edge::thread_id() const {
  return get_string(attrs, "thread_id");
}
bool graph_edge::loop_restart() const {
  return get_bool(attrs, "loop_restart").value_or(false);
}
bool graph_edge::freeform() const {
  return get_bool(attrs, "freeform").value_or(false);
}

const graph_node* workflow_graph::find_node(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &nodes_[it->second];
}
graph_node* workflow_graph::find_node(std::string_view id) {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

graph_node& workflow_graph::add_node(graph_node n) {
  assert(index_.count(n.id) == 0);
  index_.emplace(n.id, nodes_.size());
  nodes_.push_back(std::move(n));
  return nodes_.back();
}

graph_node& workflow_graph::ensure_node(std::string_view id,
                                        const attr_map& defaults,
                                        source_pos pos, bool* created) {
  if (created) *created = false;
  if (auto* n = find_node(id)) return *n;
  if (created) *created = true;
  return add_node(graph_node{std::string(id), defaults, {}, pos});
}

void workflow_graph::add_edge(graph_edge e) {
  out_edges_[e.from].push_back(edges_.size());
  in_edges_[e.to].push_back(edges_.size());
  edges_.push_back(std::move(e));
}

std::vector<std::size_t> workflow_graph::outgoing(std::string_view id) const {
  auto it = out_edges_.find(std::string(id));
  return it == out_edges_.end() ? std::vector<std::size_t>{} : it->second;
}
std::vector<std::size_t> workflow_graph::incoming(std::string_view id) const {
  auto it = in_edges_.find(std::string(id));
  return it == in_edges_.end() ? std::vector<std::size_t>{} : it->second;
}

const graph_node* workflow_graph::find_start() const {
  for (const auto& n : nodes_) {
    if (n.shape() == "Mdiamond") return &n;
  }
  if (auto* n = find_node("start")) return n;
  return find_node("Start");
}

std::string workflow_graph::goal() const {
  return get_string(attrs, "goal").value_or("");
}
std::optional<std::string> workflow_graph::rankdir() const {
  return get_string(attrs, "rankdir");
}
std::string workflow_graph::model_stylesheet() const {
  return get_string(attrs, "model_stylesheet").value_or("");
}
int64_t workflow_graph::default_max_retries() const {
  return get_int(attrs, "default_max_retries").value_or(0);
}
std::optional<std::string> workflow_graph::retry_target() const {
  return get_string(attrs, "retry_target");
}
std::optional<std::string> workflow_graph::fallback_retry_target() const {
  return get_string(attrs, "fallback_retry_target");
}
std::string workflow_graph::default_fidelity() const {
  return get_string(attrs, "default_fidelity").value_or("compact");
}
std::optional<std::string> workflow_graph::default_thread() const {
  return get_string(attrs, "default_thread");
}
std::optional<std::string> workflow_graph::default_model() const {
  return get_string(attrs, "default_model");
}
std::optional<std::string> workflow_graph::default_provider() const {
  return get_string(attrs, "default_provider");
}
int64_t workflow_graph::max_node_visits() const {
  return get_int(attrs, "max_node_visits").value_or(0);
}
int64_t workflow_graph::stall_timeout_ms() const {
  return get_duration_ms(attrs, "stall_timeout").value_or(1'800'000);
}
int64_t workflow_graph::loop_restart_signature_limit() const {
  auto v = get_int(attrs, "loop_restart_signature_limit");
  return v && *v >= 1 ? *v : 3;
}

}  // namespace fabro::model
