// The validate entry point: .fabro source text → graph + diagnostics
// (reference §2.1, the parts that are pure).
//
// Pipeline: parse (a syntax error is one "parse" diagnostic and no graph),
// apply the goal override, inline `@file` references of node prompts and the
// graph goal from a given file map, then run every lint rule
// (validate.hpp). MiniJinja templating, imports and model alias resolution
// are not part of this port: an `import` node is reported by import_error.
//
// Callers: POST /runs and /validate (HTTP layer), `fabro-orchestrator
// validate` (CLI), the run actor before executing. Pure; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.hpp"
#include "model/result.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

struct workflow_check_config {
  // Replaces the graph `goal` when non-empty (manifest or run goal, §5.5).
  std::string goal_override;
  // Contents for `@path` references: key = path relative to the workflow
  // file's directory ("prompts/x.md"; a leading "./" in the reference is
  // ignored). A reference with no entry stays `@…` and fails
  // unresolved_file_ref.
  std::map<std::string, std::string> files;
  // At most this many bytes of file content are inlined; beyond it the
  // rest stay `@…` and one error diagnostic (rule "expansion_limit") names
  // the limit.
  uint64_t max_inlined_bytes = UINT64_MAX;
};

struct workflow_check {
  std::optional<workflow_graph> graph;  // empty only after a parse error
  std::vector<diagnostic> diagnostics;  // parse error, or all lint findings
  uint64_t inlined_bytes = 0;           // file content inlined
  // No error-severity diagnostic: the workflow may run.
  bool ok() const;
};

// The error of a bundle whose @file prompts and rendered templates would
// exceed `limit` bytes (manifest_bundle.hpp: expansion_limit()).
diagnostic expansion_limit_diagnostic(uint64_t limit);

// Runs the pipeline; never fails, every finding is a diagnostic.
workflow_check check_workflow(std::string_view source,
                              const workflow_check_config& config = {});

// The graph, ready to execute, when check_workflow() is ok(); otherwise a
// problem of errc::validation_failed, detail "Validation failed", carrying
// every diagnostic (warnings included).
result<workflow_graph> load_workflow(std::string_view source,
                                     const workflow_check_config& config = {});

// One diagnostic compiler-style: `file:line:col: error: message [rule]`;
// without a known position `file: warning: message [rule]`.
std::string render_diagnostic(const diagnostic& d, std::string_view file);

// All diagnostics, one rendered line each, every line ending in '\n'.
std::string render_diagnostics(const std::vector<diagnostic>& diags,
                               std::string_view file);

}  // namespace fabro::model
