// The manifest bundle (engine reference §5, §1.10, §1.11): from a parsed
// run_manifest to what the run executes, a model::run_definition.
//
// Steps, in order:
//   1. Normalize every `workflows` and `files` key and `target.path` as
//      ManifestPaths (manifest_path.hpp); the target must be a workflow.
//   2. Settings: args > root workflow `config` ([run] only) > last `project`
//      config > last `user` config > built-in defaults (settings_layers.hpp).
//   3. Goal (§5.5): manifest goal.text > merged [run].goal > graph `goal`.
//   4. Root workflow: render templates over the raw source (inputs only),
//      parse, apply the goal, inline `@file` prompts and goal from the
//      workflow's `files` (relative to its directory), render every string
//      attribute with the goal and inputs, then lint (workflow_check.hpp).
//   5. Child workflows (`stack.child_workflow`, legacy
//      `stack.child_dotfile`), joined to the referencing workflow's directory,
//      expanded the same way with their own `files`, transitively.
// The stored source of each workflow is the expanded graph (dot_writer.hpp).
// What @file inlining and template rendering add to the bundle is bounded
// by expansion_limit(): beyond it the bundle is invalid (one error
// diagnostic, rule "expansion_limit"), and the work stops there.
//
// Callers: run submission (POST /runs), /validate and /preflight. CPU only,
// no I/O; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "model/result.hpp"
#include "model/run_definition.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/workflow_check.hpp"

namespace fabro::model {

// How many bytes @file inlining and template rendering may add to the
// bundle of `m`: 16 times its workflows, files and goal, at least 1 MiB,
// at most 32 MiB.
uint64_t expansion_limit(const run_manifest& m);

// The bundle as far as it could be resolved, valid or not.
struct bundle_check {
  // Complete when ok(); otherwise path, settings and goal are, and `source`
  // is the template-rendered text (or the raw text after a template error).
  run_definition definition;
  workflow_check target;  // the root workflow's graph and every diagnostic
  // Child references (resolved ManifestPaths) absent from `workflows`; their
  // stages fail at run time, as in Fabro. Invalid children are stored with
  // their raw source and fail at run time too.
  std::vector<std::string> missing_children;
  bool ok() const { return target.ok(); }
};

// Resolves `m`. Fails only on manifest problems, errc::invalid_request:
// "invalid manifest target path", "manifest target path is missing from
// workflows map", "invalid manifest workflow key: K", "duplicate canonical
// workflow key: K", "invalid manifest file key: K", "duplicate canonical file
// key: K", "Failed to parse settings file: PATH: …". Workflow findings
// (syntax, templates, lint) are diagnostics in `target`.
result<bundle_check> check_bundle(const run_manifest& m);

// check_bundle(), then errc::validation_failed "Validation failed" carrying
// every diagnostic unless the root workflow is ok().
result<run_definition> resolve_bundle(const run_manifest& m);

}  // namespace fabro::model
