// Run settings from layers (engine reference §5.4): manifest args, the root
// workflow's TOML `[run]` table, the project and user TOML configs, and the
// built-in defaults of model::run_settings, merged highest precedence first.
//
// Merge rules kept: scalars field by field (the higher layer wins);
// `inputs` and `metadata` replaced wholesale; `sandbox.env` merged by key.
// Keys outside the MVP set (§5.4 end) are accepted and ignored. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"
#include "model/run_definition.hpp"
#include "model/run_manifest.hpp"

namespace fabro::model {

// One layer: what it sets; unset fields defer to lower layers.
struct settings_layer {
  std::optional<std::string> goal;         // run.goal (a string)
  std::optional<std::string> working_dir;  // run.working_dir
  std::optional<bool> dry_run;             // run.execution.mode
  std::optional<bool> auto_approve;        // run.execution.approval
  std::optional<bool> retros;              // run.execution.retros
  std::optional<std::string> model;        // run.model.name
  std::optional<std::string> provider;     // run.model.provider
  std::optional<std::string> sandbox;      // run.sandbox.provider
  std::optional<std::map<std::string, std::string>> inputs;    // run.inputs
  std::optional<std::map<std::string, std::string>> metadata;  // run.metadata
  std::map<std::string, std::string> env;  // run.sandbox.env (by key)
};

// The `[run]` table of TOML text `toml` (a settings file at logical `path`).
// Fails with errc::invalid_request "Failed to parse settings file: PATH: …"
// on a syntax error (with line and column), a value of the wrong type, or an
// unknown execution mode/approval.
result<settings_layer> parse_settings_layer(std::string_view toml, std::string_view path);

// The args layer: dry_run → mode, auto_approve → approval, no_retro →
// !retros, model/provider/sandbox, `k=v` labels → metadata.
settings_layer args_layer(const manifest_args& args);

// `layers` (highest precedence first) over run_settings' defaults.
run_settings merge_settings(const std::vector<settings_layer>& layers);

// The first goal set in `layers` (highest precedence first).
std::optional<std::string> layered_goal(const std::vector<settings_layer>& layers);

}  // namespace fabro::model
