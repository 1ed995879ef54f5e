#include "model/workflow/validate.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <deque>
#include <set>
#include <string>

#include "model/workflow/condition.hpp"
#include "model/workflow/lint_extras.hpp"
#include "model/workflow/stylesheet.hpp"

namespace fabro::model {
namespace {

using diags = std::vector<diagnostic>;

diagnostic graph_diag(const char* rule, severity s, std::string msg) {
  diagnostic d;
  d.rule = rule;
  d.level = s;
  d.message = std::move(msg);
  return d;
}
diagnostic node_diag(const char* rule, severity s, std::string msg,
                     const graph_node& n) {
  diagnostic d = graph_diag(rule, s, std::move(msg));
  d.node_id = n.id;
  d.line = n.pos.line;
  d.column = n.pos.column;
  return d;
}
diagnostic edge_diag(const char* rule, severity s, std::string msg,
                     const graph_edge& e) {
  diagnostic d = graph_diag(rule, s, std::move(msg));
  d.edge_from = e.from;
  d.edge_to = e.to;
  d.line = e.pos.line;
  d.column = e.pos.column;
  return d;
}
std::string q(const std::string& s) { return "'" + s + "'"; }
std::string edge_name(const graph_edge& e) {
  return "Edge " + q(e.from) + " -> " + q(e.to);
}

constexpr auto E = severity::error;
constexpr auto W = severity::warning;

void start_and_terminal(const workflow_graph& g, diags& out) {
  std::vector<const graph_node*> starts, ends;
  for (const auto& n : g.nodes()) {
    if (n.looks_like_start()) starts.push_back(&n);
    if (n.looks_like_terminal()) ends.push_back(&n);
  }
  if (starts.empty()) {
    out.push_back(graph_diag("start_node", E,
        "Pipeline must have exactly one start node (shape=Mdiamond or id "
        "start/Start)"));
  } else if (starts.size() > 1) {
    out.push_back(node_diag("start_node", E,
        "Pipeline has " + std::to_string(starts.size()) + " start nodes (" +
        q(starts[0]->id) + " and " + q(starts[1]->id) +
        "); exactly one is required", *starts[1]));
  }
  if (ends.empty()) {
    out.push_back(graph_diag("terminal_node", E,
        "Pipeline must have exactly one terminal node (shape=Msquare or id "
        "exit/Exit/end/End)"));
  } else if (ends.size() > 1) {
    out.push_back(node_diag("terminal_node", E,
        "Pipeline has " + std::to_string(ends.size()) + " terminal nodes (" +
        q(ends[0]->id) + " and " + q(ends[1]->id) +
        "); exactly one is required", *ends[1]));
  }
}

void edges_and_ends(const workflow_graph& g, diags& out) {
  for (const auto& e : g.edges()) {
    for (const auto* id : {&e.from, &e.to}) {
      if (!g.find_node(*id)) {
        out.push_back(edge_diag("edge_target_exists", E,
            edge_name(e) + " references missing node " + q(*id), e));
      }
    }
  }
  for (const auto& e : g.edges()) {
    auto* to = g.find_node(e.to);
    if (to && to->looks_like_start()) {
      out.push_back(edge_diag("start_no_incoming", E,
          "Start node " + q(e.to) + " must not have incoming edges", e));
    }
  }
  for (const auto& e : g.edges()) {
    auto* from = g.find_node(e.from);
    if (from && from->looks_like_terminal()) {
      out.push_back(edge_diag("exit_no_outgoing", E,
          "Terminal node " + q(e.from) + " must not have outgoing edges", e));
    }
  }
}

void syntax_rules(const workflow_graph& g, diags& out) {
  for (const auto& e : g.edges()) {
    if (!e.is_conditional()) continue;
    auto c = parse_condition(e.condition());
    if (!c) {
      out.push_back(edge_diag("condition_syntax", E,
          edge_name(e) + " has an invalid condition: " + c.error().detail, e));
    }
  }
  for (const auto& n : g.nodes()) {
    auto stop = get_string(n.attrs, "manager.stop_condition");
    if (!stop) continue;
    auto c = parse_condition(*stop);
    if (!c) {
      out.push_back(node_diag("condition_syntax", E,
          "Node " + q(n.id) + " has an invalid manager.stop_condition: " +
          c.error().detail, n));
    }
  }
  auto sheet = parse_stylesheet(g.model_stylesheet());
  if (!sheet) {
    out.push_back(graph_diag("stylesheet_syntax", E,
        "model_stylesheet is invalid: " + sheet.error().detail));
  }
}

void routing_rules(const workflow_graph& g, diags& out) {
  for (const auto& n : g.nodes()) {
    if (n.handler() != handler_type::human) continue;
    std::size_t freeform = 0;
    for (auto i : g.outgoing(n.id)) freeform += g.edges()[i].freeform();
    if (freeform > 1) {
      out.push_back(node_diag("freeform_edge_count", E,
          "Human node " + q(n.id) + " has " + std::to_string(freeform) +
          " freeform edges; at most one is allowed", n));
    }
  }
  for (const auto& n : g.nodes()) {
    auto out_edges = g.outgoing(n.id);
    bool all = !out_edges.empty() &&
               std::all_of(out_edges.begin(), out_edges.end(), [&](auto i) {
                 return g.edges()[i].is_conditional();
               });
    if (all) {
      out.push_back(node_diag("all_conditional_edges", E,
          "Node " + q(n.id) + " has all conditional outgoing edges with no "
          "unconditional fallback", n));
    }
  }
}

void reference_rules(const workflow_graph& g, diags& out) {
  for (const auto& n : g.nodes()) {
    if (auto* err = find_attr(n.attrs, "import_error")) {
      out.push_back(node_diag("import_error", E,
          "Node " + q(n.id) + " import failed: " + err->raw_text(), n));
    } else if (auto* imp = find_attr(n.attrs, "import")) {
      out.push_back(node_diag("import_error", E,
          "Node " + q(n.id) + " imports " + q(imp->raw_text()) +
          ", which was not resolved", n));
    }
  }
  auto goal = g.goal();
  if (!goal.empty() && goal[0] == '@') {
    out.push_back(graph_diag("unresolved_file_ref", E,
        "Graph goal references file " + q(goal) + ", which was not resolved"));
  }
  for (const auto& n : g.nodes()) {
    auto p = n.prompt();
    if (p && !p->empty() && (*p)[0] == '@') {
      out.push_back(node_diag("unresolved_file_ref", E,
          "Node " + q(n.id) + " prompt references file " + q(*p) +
          ", which was not resolved", n));
    }
  }
  for (const auto& n : g.nodes()) {
    if (n.selection() != "random") continue;
    for (auto i : g.outgoing(n.id)) {
      if (g.edges()[i].is_conditional()) {
        out.push_back(node_diag("random_selection_no_conditions", E,
            "Node " + q(n.id) + " uses selection=random but has conditional "
            "outgoing edges", n));
        break;
      }
    }
  }
}

void reachability(const workflow_graph& g, diags& out) {
  const graph_node* start = nullptr;
  for (const auto& n : g.nodes()) {
    if (!n.looks_like_start()) continue;
    if (start) return;  // start_node already reported; no single root
    start = &n;
  }
  if (!start) return;
  std::set<std::string> seen{start->id};
  std::deque<std::string> todo{start->id};
  while (!todo.empty()) {
    auto id = todo.front();
    todo.pop_front();
    for (auto i : g.outgoing(id)) {
      if (seen.insert(g.edges()[i].to).second) todo.push_back(g.edges()[i].to);
    }
  }
  for (const auto& n : g.nodes()) {
    if (!seen.count(n.id)) {
      out.push_back(node_diag("reachability", W,
          "Node " + q(n.id) + " is not reachable from the start node", n));
    }
  }
}

bool valid_fidelity(const std::string& f) {
  static const std::set<std::string> modes{"full", "compact", "truncate",
      "summary:low", "summary:medium", "summary:high"};
  return modes.count(f) > 0;
}

void attribute_rules(const workflow_graph& g, diags& out) {
  for (const auto& n : g.nodes()) {
    if (auto* t = find_attr(n.attrs, "type")) {
      if (!is_known_handler_type(t->raw_text())) {
        out.push_back(node_diag("type_known", W,
            "Node " + q(n.id) + " has unknown type " + q(t->raw_text()), n));
      }
    }
  }
  if (auto* f = find_attr(g.attrs, "default_fidelity")) {
    if (!valid_fidelity(f->raw_text())) {
      out.push_back(graph_diag("fidelity_valid", W,
          "default_fidelity " + q(f->raw_text()) + " is not a valid mode"));
    }
  }
  for (const auto& n : g.nodes()) {
    auto* f = find_attr(n.attrs, "fidelity");
    if (f && !valid_fidelity(f->raw_text())) {
      out.push_back(node_diag("fidelity_valid", W,
          "Node " + q(n.id) + " has invalid fidelity " + q(f->raw_text()), n));
    }
  }
  for (const auto& e : g.edges()) {
    auto* f = find_attr(e.attrs, "fidelity");
    if (f && !valid_fidelity(f->raw_text())) {
      out.push_back(edge_diag("fidelity_valid", W,
          edge_name(e) + " has invalid fidelity " + q(f->raw_text()), e));
    }
  }
  for (const char* key : {"retry_target", "fallback_retry_target"}) {
    auto t = get_string(g.attrs, key);
    if (t && !g.find_node(*t)) {
      out.push_back(graph_diag("retry_target_exists", W,
          std::string("Graph ") + key + " " + q(*t) + " is not a node"));
    }
  }
  for (const auto& n : g.nodes()) {
    for (const char* key : {"retry_target", "fallback_retry_target"}) {
      auto t = get_string(n.attrs, key);
      if (t && !g.find_node(*t)) {
        out.push_back(node_diag("retry_target_exists", W,
            "Node " + q(n.id) + " " + key + " " + q(*t) + " is not a node",
            n));
      }
    }
  }
  bool graph_retry = g.retry_target() || g.fallback_retry_target();
  for (const auto& n : g.nodes()) {
    if (n.goal_gate() && !graph_retry && !n.retry_target() &&
        !n.fallback_retry_target()) {
      out.push_back(node_diag("goal_gate_has_retry", W,
          "Goal gate node " + q(n.id) + " has no retry_target or "
          "fallback_retry_target, on the node or the graph", n));
    }
  }
  for (const auto& n : g.nodes()) {
    if (is_llm_handler(n.handler()) && !find_attr(n.attrs, "prompt") &&
        !find_attr(n.attrs, "label")) {
      out.push_back(node_diag("prompt_on_llm_nodes", W,
          "LLM node " + q(n.id) + " (" + to_string(n.handler()) +
          ") has neither a prompt nor a label", n));
    }
  }
}

void style_rules(const workflow_graph& g, diags& out) {
  if (auto* r = find_attr(g.attrs, "rankdir")) {
    auto v = r->raw_text();
    if (v != "TB" && v != "LR" && v != "BT" && v != "RL") {
      out.push_back(graph_diag("direction_valid", W,
          "rankdir " + q(v) + " is not one of TB, LR, BT, RL"));
    }
  }
  static const std::set<std::string> reserved{"graph", "digraph", "subgraph",
                                              "node", "edge", "strict", "if"};
  for (const auto& n : g.nodes()) {
    std::string lower = n.id;
    for (auto& c : lower) c = static_cast<char>(std::tolower(c));
    if (reserved.count(lower)) {
      out.push_back(node_diag("reserved_keyword_node_id", W,
          "Node ID " + q(n.id) + " is a reserved keyword", n));
    }
  }
}

void routing_warnings(const workflow_graph& g, diags& out) {
  static const std::set<std::string> standard{"succeeded", "failed",
      "partially_succeeded", "skipped"};
  for (const auto& n : g.nodes()) {
    auto outs = g.outgoing(n.id);
    bool fallback = std::any_of(outs.begin(), outs.end(), [&](auto i) {
      return !g.edges()[i].is_conditional();
    });
    if (fallback) continue;
    for (auto i : outs) {
      auto c = parse_condition(g.edges()[i].condition());
      std::vector<std::string> values;
      if (!c || !has_outcome_clause(*c, &values)) continue;
      for (const auto& v : values) {
        if (standard.count(v)) continue;
        out.push_back(edge_diag("orphan_custom_outcome", W,
            "Node " + q(n.id) + " routes on custom outcome " + q(v) +
            " with no unconditional fallback edge", g.edges()[i]));
      }
    }
  }
  static const re2::RE2 abs_cd(R"((^|[^A-Za-z0-9_])cd\s+/)");
  for (const auto& n : g.nodes()) {
    auto s = n.script();
    if (n.handler() == handler_type::command && s &&
        re2::RE2::PartialMatch(*s, abs_cd)) {
      out.push_back(node_diag("script_absolute_cd", W,
          "Command node " + q(n.id) + " script changes to an absolute "
          "directory (cd /…); scripts run in the run's working directory", n));
    }
  }
  auto default_fidelity = g.default_fidelity();
  if (g.default_thread() && default_fidelity != "full") {
    out.push_back(graph_diag("thread_id_requires_fidelity_full", W,
        "default_thread is set but default_fidelity is " +
        q(default_fidelity) + "; threads need fidelity full"));
  }
  for (const auto& n : g.nodes()) {
    auto fidelity = n.fidelity().value_or(default_fidelity);
    if (n.thread_id() && fidelity != "full") {
      out.push_back(node_diag("thread_id_requires_fidelity_full", W,
          "Node " + q(n.id) + " sets thread_id but its fidelity is " +
          q(fidelity) + "; threads need fidelity full", n));
    }
  }
  for (const auto& n : g.nodes()) {
    auto* s = find_attr(n.attrs, "selection");
    if (s && s->raw_text() != "deterministic" && s->raw_text() != "random") {
      out.push_back(node_diag("selection_valid", W,
          "Node " + q(n.id) + " has invalid selection " + q(s->raw_text()) +
          " (expected deterministic or random)", n));
    }
  }
}

}  // namespace

std::vector<diagnostic> validate_graph(const workflow_graph& g) {
  diags out;
  start_and_terminal(g, out);
  edges_and_ends(g, out);
  syntax_rules(g, out);
  routing_rules(g, out);
  reference_rules(g, out);
  reachability(g, out);
  attribute_rules(g, out);
  style_rules(g, out);
  routing_warnings(g, out);
  check_attribute_types(g, out);
  check_implicit_terminals(g, out);
  return out;
}

bool has_errors(const std::vector<diagnostic>& d) {
  return std::any_of(d.begin(), d.end(), [](const diagnostic& x) {
    return x.level == severity::error;
  });
}

}  // namespace fabro::model
