#include "model/workflow/lint_extras.hpp"

#include <string>

namespace fabro::model {
namespace {

struct typed_key {
  const char* key;
  attr_kind kind;
};

// Attributes whose lookup is typed (reference §1.4-1.7).
constexpr typed_key graph_keys[] = {
    {"default_max_retries", attr_kind::integer},
    {"max_node_visits", attr_kind::integer},
    {"loop_restart_signature_limit", attr_kind::integer},
    {"stall_timeout", attr_kind::duration},
};
constexpr typed_key node_keys[] = {
    {"goal_gate", attr_kind::boolean},
    {"auto_status", attr_kind::boolean},
    {"allow_partial", attr_kind::boolean},
    {"project_memory", attr_kind::boolean},
    {"max_retries", attr_kind::integer},
    {"max_visits", attr_kind::integer},
    {"max_parallel", attr_kind::integer},
    {"max_tokens", attr_kind::integer},
    {"manager.max_cycles", attr_kind::integer},
    {"timeout", attr_kind::duration},
    {"duration", attr_kind::duration},
    {"manager.poll_interval", attr_kind::duration},
};
constexpr typed_key edge_keys[] = {
    {"weight", attr_kind::integer},
    {"loop_restart", attr_kind::boolean},
    {"freeform", attr_kind::boolean},
};

const char* hint(attr_kind k) {
  switch (k) {
    case attr_kind::boolean: return "an unquoted true or false";
    case attr_kind::integer: return "an unquoted integer";
    case attr_kind::duration: return "a duration with a unit (ms, s, m, h, d)";
    default: return "a string";
  }
}

template <class Keys, class Make>
void check(const attr_map& attrs, const Keys& keys, Make make) {
  for (const auto& k : keys) {
    auto* v = find_attr(attrs, k.key);
    if (!v || v->kind() == k.kind) continue;
    std::string written = v->quoted() ? "\"" + v->raw_text() + "\"" :
                                        v->raw_text();
    std::string kind = to_string(v->kind());
    const char* article = kind == "integer" ? " is an " : " is a ";
    make(std::string(k.key) + "=" + written + article + kind + ", not " +
         hint(k.kind) + "; it is ignored");
  }
}

diagnostic make(std::string msg) {
  diagnostic d;
  d.rule = "attribute_type";
  d.level = severity::warning;
  d.message = std::move(msg);
  return d;
}

}  // namespace

void check_attribute_types(const workflow_graph& g,
                           std::vector<diagnostic>& out) {
  check(g.attrs, graph_keys,
        [&](std::string m) { out.push_back(make("Graph " + m)); });
  for (const auto& n : g.nodes()) {
    check(n.attrs, node_keys, [&](std::string m) {
      diagnostic d = make("Node '" + n.id + "' " + m);
      d.node_id = n.id;
      d.line = n.pos.line;
      d.column = n.pos.column;
      out.push_back(std::move(d));
    });
  }
  for (const auto& e : g.edges()) {
    check(e.attrs, edge_keys, [&](std::string m) {
      diagnostic d = make("Edge '" + e.from + "' -> '" + e.to + "' " + m);
      d.edge_from = e.from;
      d.edge_to = e.to;
      d.line = e.pos.line;
      d.column = e.pos.column;
      out.push_back(std::move(d));
    });
  }
}

void check_implicit_terminals(const workflow_graph& g,
                              std::vector<diagnostic>& out) {
  for (const auto& n : g.nodes()) {
    std::string msg;
    if (n.looks_like_start() && n.shape() != "Mdiamond" &&
        n.handler() != handler_type::start) {
      msg = "Node '" + n.id + "' is the start node by its ID only; without "
            "shape=Mdiamond it runs with the '" + to_string(n.handler()) +
            "' handler";
    } else if (n.looks_like_terminal() && n.shape() != "Msquare" &&
               n.handler() != handler_type::exit) {
      msg = "Node '" + n.id + "' is the exit node by its ID only; without "
            "shape=Msquare it runs with the '" + to_string(n.handler()) +
            "' handler and goal gates are not checked";
    } else {
      continue;
    }
    diagnostic d;
    d.rule = "implicit_terminal";
    d.level = severity::warning;
    d.message = std::move(msg);
    d.node_id = n.id;
    d.line = n.pos.line;
    d.column = n.pos.column;
    out.push_back(std::move(d));
  }
}

}  // namespace fabro::model
