// Our two lint rules beyond Fabro's (reference §7.3), both warnings, run last
// by validate_graph(). They explain quirks we reproduce faithfully rather
// than change behaviour:
//
//   attribute_type     a known typed attribute whose value has another
//                      lexical type, so Fabro's typed lookup ignores it:
//                      goal_gate="true" (string, reads false), max_retries="5"
//                      (string, ignored), timeout=900 (integer, no unit).
//   implicit_terminal  a node that validation counts as start or exit by its
//                      ID alone (no shape=Mdiamond / shape=Msquare): it still
//                      runs as an agent stage, and an ID-only exit ends the
//                      run without checking goal gates.
//
// Pure; thread-safe. Appends to `out` in node, then edge, file order.
#pragma once

#include <vector>

#include "model/diagnostic.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

void check_attribute_types(const workflow_graph& g,
                           std::vector<diagnostic>& out);
void check_implicit_terminals(const workflow_graph& g,
                              std::vector<diagnostic>& out);

}  // namespace fabro::model
