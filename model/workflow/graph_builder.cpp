#include "model/workflow/graph_builder.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "model/workflow/dot_parser.hpp"

namespace fabro::model {
namespace {

struct scope {
  attr_map node_defaults;
  attr_map edge_defaults;
  std::vector<std::string> classes;  // from enclosing subgraph labels
};

void merge(attr_map& into, const std::vector<dot_attr>& attrs) {
  for (const auto& a : attrs) into.insert_or_assign(a.key, a.value);
}

// The label a subgraph declares directly (last one wins), if any.
std::optional<std::string> subgraph_label(const dot_stmt& sg) {
  std::optional<std::string> label;
  for (const auto& s : sg.body) {
    if (s.type != dot_stmt::kind::graph_attrs &&
        s.type != dot_stmt::kind::graph_decl) {
      continue;
    }
    for (const auto& a : s.attrs) {
      if (a.key == "label") label = a.value.raw_text();
    }
  }
  return label;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

void add_class(std::vector<std::string>& to, std::string c) {
  if (!c.empty() && std::find(to.begin(), to.end(), c) == to.end()) {
    to.push_back(std::move(c));
  }
}

class builder {
 public:
  workflow_graph run(const dot_file& f) {
    g_.name = f.name;
    walk(f.stmts, scope{});
    finish();
    return std::move(g_);
  }

 private:
  graph_node& mention(const std::string& id, source_pos pos, const scope& sc) {
    graph_node& n = g_.ensure_node(id, sc.node_defaults, pos);
    auto& cls = subgraph_classes_[id];
    for (const auto& c : sc.classes) add_class(cls, c);
    return n;
  }

  void walk(const std::vector<dot_stmt>& stmts, scope sc) {
    for (const auto& s : stmts) {
      switch (s.type) {
        case dot_stmt::kind::graph_attrs:
        case dot_stmt::kind::graph_decl:
          merge(g_.attrs, s.attrs);  // root graph, even inside a subgraph
          break;
        case dot_stmt::kind::node_defaults:
          merge(sc.node_defaults, s.attrs);
          break;
        case dot_stmt::kind::edge_defaults:
          merge(sc.edge_defaults, s.attrs);
          break;
        case dot_stmt::kind::subgraph: {
          scope inner = sc;
          if (auto label = subgraph_label(s)) {
            add_class(inner.classes, class_from_label(*label));
          }
          walk(s.body, std::move(inner));
          break;
        }
        case dot_stmt::kind::node:
          merge(mention(s.ids[0], s.id_pos[0], sc).attrs, s.attrs);
          break;
        case dot_stmt::kind::edge_chain:
          chain(s, sc);
          break;
      }
    }
  }

  void chain(const dot_stmt& s, const scope& sc) {
    for (std::size_t i = 0; i < s.ids.size(); ++i) {
      mention(s.ids[i], s.id_pos[i], sc);
    }
    for (std::size_t i = 0; i + 1 < s.ids.size(); ++i) {
      graph_edge e{s.ids[i], s.ids[i + 1], sc.edge_defaults, s.id_pos[i]};
      merge(e.attrs, s.attrs);
      g_.add_edge(std::move(e));
    }
  }

  void finish() {
    for (const auto& n0 : g_.nodes()) {
      graph_node& n = *g_.find_node(n0.id);
      if (!find_attr(n.attrs, "type")) {
        auto mode = get_string(n.attrs, "codergen_mode");
        if (mode == "one_shot") {
          n.attrs["type"] = attr_value::from_quoted("prompt");
        } else if (mode == "agent_loop") {
          n.attrs["type"] = attr_value::from_quoted("agent");
        }
      }
      if (auto cls = get_string(n.attrs, "class")) {
        std::string_view rest = *cls;
        for (;;) {
          auto comma = rest.find(',');
          add_class(n.classes, trim(rest.substr(0, comma)));
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      }
      for (auto& c : subgraph_classes_[n.id]) add_class(n.classes, c);
    }
  }

  workflow_graph g_;
  std::map<std::string, std::vector<std::string>> subgraph_classes_;
};

}  // namespace

std::string class_from_label(std::string_view label) {
  std::string out;
  for (char c : label) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ') c = '-';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      out += c;
    }
  }
  return out;
}

workflow_graph build_graph(const dot_file& file) { return builder().run(file); }

result<workflow_graph> parse_workflow(std::string_view source) {
  auto file = parse_dot(source);
  if (!file) return file.error();
  return build_graph(*file);
}

}  // namespace fabro::model
