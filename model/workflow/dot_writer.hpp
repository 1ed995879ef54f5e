// Writes a workflow_graph back as .fabro text, so that what a run stores
// (model::run_definition::source) is the expanded graph itself: templates
// rendered, `@file` prompts inlined, defaults applied. parse_workflow() of
// the text gives the same nodes, edges, attributes and classes.
//
// Values keep their kind: strings quoted (escaping `"` and `\`), integers,
// floats and booleans bare, durations as `<n>ms`. One loss, inherent to the
// language: a String whose whole text looks like a duration ("5m") reads
// back as a Duration. Source positions are not kept. Nodes named `graph`,
// `node` or `edge` are written inside an anonymous subgraph. Pure.
#pragma once

#include <string>

#include "model/workflow/graph.hpp"

namespace fabro::model {

std::string write_dot(const workflow_graph& g);

}  // namespace fabro::model
