// Semantic construction of a workflow_graph from a dot_file (reference §1.3),
// and parse_workflow(), the one call that turns .fabro source into a graph.
//
// Rules applied:
//   - Nodes are created on first mention, edges included; `node [...]`
//     defaults in force at that moment are copied in, only then. Later node
//     statements merge attributes; the later value wins.
//   - `a -> b -> c [attrs]` gives a->b and b->c, each with the edge defaults
//     in force, then the explicit attributes. Edges keep file order.
//   - Node and edge defaults declared in a subgraph are scoped to it. A
//     subgraph `label` gives every node created or mentioned inside it (nested
//     subgraphs included) a class: lowercase, spaces → '-', only [a-z0-9-].
//   - Quirk kept: `graph [...]` and `key=value` inside a subgraph write to
//     the root graph's attributes.
//   - `class` is split on commas. Legacy `codergen_mode="one_shot"` becomes
//     `type="prompt"` and `codergen_mode="agent_loop"` `type="agent"`, only
//     when `type` is absent. (`tool_command` is read by graph_node::script.)
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "model/result.hpp"
#include "model/workflow/dot_ast.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// Applies §1.3 to a parsed file. Never fails: every AST is a valid graph
// structurally (validation judges the rest).
workflow_graph build_graph(const dot_file& file);

// parse_dot() then build_graph(). Fails only on syntax: errc::validation_failed
// with one diagnostic of rule "parse" carrying line and column.
result<workflow_graph> parse_workflow(std::string_view source);

// The CSS class a subgraph label yields: lowercase, spaces become '-', every
// character outside [a-z0-9-] dropped. "Build & Test" → "build--test".
std::string class_from_label(std::string_view label);

}  // namespace fabro::model
