// Lint rules over a parsed workflow graph (reference §2.3).
//
// validate_graph() runs every rule and returns all findings, in rule order
// (as listed below), then in node / edge file order within a rule. Each
// diagnostic names its rule, severity, a one-sentence message, the node or
// edge concerned, and the source line/column of that node or edge (0 for
// graph-level findings). A workflow is runnable when no finding has
// severity::error; warnings never block a run.
//
// Errors:   start_node, terminal_node, edge_target_exists, start_no_incoming,
//           exit_no_outgoing, condition_syntax, stylesheet_syntax,
//           freeform_edge_count, all_conditional_edges, import_error,
//           unresolved_file_ref, random_selection_no_conditions.
// Warnings: reachability, type_known, fidelity_valid, retry_target_exists,
//           goal_gate_has_retry, prompt_on_llm_nodes, direction_valid,
//           reserved_keyword_node_id, orphan_custom_outcome,
//           script_absolute_cd, thread_id_requires_fidelity_full,
//           selection_valid, and two of ours (reference §7.3):
//   attribute_type     a typed attribute written with the wrong lexical
//                      type (goal_gate="true", max_retries="5", timeout=900)
//                      and therefore ignored;
//   implicit_terminal  a node recognised as start/exit by its ID only
//                      (no Mdiamond/Msquare shape): it runs as an agent stage.
// Not implemented: stylesheet_model_known and node_model_known (no model
// catalog in this port).
//
// Pure; thread-safe.
#pragma once

#include <vector>

#include "model/diagnostic.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

std::vector<diagnostic> validate_graph(const workflow_graph& g);

// Whether any diagnostic has severity::error.
bool has_errors(const std::vector<diagnostic>& diags);

}  // namespace fabro::model
