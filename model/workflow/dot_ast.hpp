// Syntax tree of a .fabro file: the statements exactly as written, before the
// semantic rules of §1.3 (defaults, subgraph scoping, classes) are applied by
// graph_builder. Produced by parse_dot(); plain values.
#pragma once

#include <string>
#include <vector>

#include "model/workflow/attr_value.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

struct dot_attr {
  std::string key;  // possibly dotted: human.default_choice
  attr_value value;
  source_pos pos;   // position of the key
};

struct dot_stmt {
  enum class kind {
    graph_attrs,    // graph [k=v, ...]
    node_defaults,  // node [k=v, ...]
    edge_defaults,  // edge [k=v, ...]
    subgraph,       // subgraph NAME? { body }
    graph_decl,     // k=v at statement level (attrs has one entry)
    node,           // ID [k=v, ...]?           (ids has one entry)
    edge_chain,     // ID -> ID (-> ID)* [..]?  (ids has two or more)
  };
  kind type = kind::node;
  std::vector<dot_attr> attrs;
  std::vector<std::string> ids;      // node or chain members, in order
  std::vector<source_pos> id_pos;    // position of each entry of ids
  std::string subgraph_name;         // may be empty
  std::vector<dot_stmt> body;        // subgraph statements
  source_pos pos;                    // first character of the statement
};

struct dot_file {
  std::string name;  // the digraph name
  std::vector<dot_stmt> stmts;
};

}  // namespace fabro::model
