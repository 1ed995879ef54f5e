// What a run executes, fixed at submission (issue 3 §7: execution never
// re-parses a different text): the target workflow after template and
// `@file` expansion, the child workflows it may call, and the merged run
// settings. Stored beside the manifest as JSON; the run actor loads it.
// Plain value; producers: actors/run_submission.cpp; consumers: the run actor.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "model/result.hpp"

namespace fabro::model {

// The merged `[run]` settings (engine reference §5.4) that execution uses.
// Every field has the built-in default of Fabro's defaults.toml.
struct run_settings {
  bool dry_run = false;            // run.execution.mode == "dry_run"
  bool auto_approve = false;       // run.execution.approval == "auto"
  bool retros = true;              // run.execution.retros
  std::string model;               // run.model.name; empty = default
  std::string provider;            // run.model.provider; empty = default
  std::string sandbox = "local";   // run.sandbox.provider: local or bubblewrap run commands here
  std::string working_dir;         // run.working_dir; empty = manifest cwd
  std::map<std::string, std::string> inputs;   // run.inputs (scalars as text)
  std::map<std::string, std::string> env;      // run.sandbox.env
  std::map<std::string, std::string> metadata; // run.metadata (labels)
};

struct run_definition {
  std::string workflow_path;   // manifest target.path
  std::string workflow_name;   // DOT graph name
  std::string goal;            // the winning goal (§5.5); empty = none
  std::string source;          // target workflow .fabro text after expansion
  std::string working_directory;  // resolved from cwd and run.working_dir
  // Child workflows by logical path, expanded the same way.
  std::map<std::string, std::string> children;
  run_settings settings;
};

// Fabro's RunSettings for `s`: the SettingsFile shape, {"run": {execution
// {mode, approval, retros}, model {name, provider}, sandbox {provider,
// env}, working_dir, inputs, metadata}}; unset model names are null. The
// values of sandbox.env are redacted to "***" (they may hold secrets; a
// reader sees which variables a stage gets, not their values).
std::string api_settings_json(const run_settings& s);

// JSON text of `d`; parse_run_definition(to_json(d)) == d.
std::string to_json(const run_definition& d);
// Fails with errc::internal when `json` is not a definition this code wrote.
result<run_definition> parse_run_definition(std::string_view json);

}  // namespace fabro::model
