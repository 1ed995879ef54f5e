#include "model/workflow/edge_selection.hpp"

#include <algorithm>
#include <cctype>

namespace fabro::model {
namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

std::size_t pick(const workflow_graph& g, const std::vector<std::size_t>& c,
                 bool random, double draw) {
  const auto& e = g.edges();
  if (random) {
    int64_t total = 0;
    for (auto i : c) total += std::max<int64_t>(e[i].weight(), 1);
    double at = std::clamp(draw, 0.0, 1.0) * static_cast<double>(total);
    for (auto i : c) {
      at -= static_cast<double>(std::max<int64_t>(e[i].weight(), 1));
      if (at < 0) return i;
    }
    return c.back();
  }
  return *std::min_element(c.begin(), c.end(), [&](auto a, auto b) {
    if (e[a].weight() != e[b].weight()) return e[a].weight() > e[b].weight();
    return e[a].to < e[b].to;
  });
}

}  // namespace

const char* to_string(selection_reason r) {
  switch (r) {
    case selection_reason::condition: return "condition";
    case selection_reason::preferred_label: return "preferred_label";
    case selection_reason::suggested_next: return "suggested_next";
    case selection_reason::unconditional: return "unconditional";
  }
  return "unconditional";
}

std::string normalize_label(std::string_view label) {
  std::string s = trim(label);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.size() >= 4 && s[0] == '[' && s[2] == ']' && s[3] == ' ') {
    s.erase(0, 4);
  } else if (s.size() >= 3 && s[1] == ')' && s[2] == ' ') {
    s.erase(0, 3);
  } else if (s.size() >= 4 && s.compare(1, 3, " - ") == 0) {
    s.erase(0, 4);
  }
  return trim(s);
}

std::optional<edge_choice> select_edge(const workflow_graph& g,
                                       std::string_view node_id,
                                       const routing_outcome& outcome,
                                       const condition_context& context,
                                       double random_draw) {
  auto out = g.outgoing(node_id);
  if (out.empty()) return std::nullopt;
  const graph_node* node = g.find_node(node_id);
  bool random = node && node->selection() == "random";
  const auto& e = g.edges();

  condition_context ctx = context;
  ctx.outcome = outcome.status;
  ctx.preferred_label = outcome.preferred_label;
  std::vector<std::size_t> matched, unconditional;
  for (auto i : out) {
    if (!e[i].is_conditional()) {
      unconditional.push_back(i);
    } else if (evaluate_condition(e[i].condition(), ctx)) {
      matched.push_back(i);
    }
  }
  if (!matched.empty()) {
    return edge_choice{pick(g, matched, random, random_draw),
                       selection_reason::condition};
  }
  if (!outcome.preferred_label.empty()) {
    auto want = normalize_label(outcome.preferred_label);
    for (auto i : unconditional) {
      if (normalize_label(e[i].label().value_or("")) == want) {
        return edge_choice{i, selection_reason::preferred_label};
      }
    }
  }
  for (const auto& id : outcome.suggested_next_ids) {
    for (auto i : unconditional) {
      if (e[i].to == id) return edge_choice{i, selection_reason::suggested_next};
    }
  }
  bool human = node && node->handler() == handler_type::human;
  if (human && outcome.status == "failed" && outcome.preferred_label.empty() &&
      outcome.suggested_next_ids.empty()) {
    return std::nullopt;  // a failed gate never falls through
  }
  if (unconditional.empty()) return std::nullopt;
  return edge_choice{pick(g, unconditional, random, random_draw),
                     selection_reason::unconditional};
}

}  // namespace fabro::model
