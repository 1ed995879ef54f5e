// Public: model layer (installed for embedders under include/fabro/).
// RunManifest: the self-contained body of POST /api/v1/runs
// (reference/fabro-runs-api.md §2.1). Plain values; optional JSON fields are
// std::optional, absent maps and arrays are empty. Immutable once parsed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace fabro::model {

enum class file_ref_type { file_inline, import, dockerfile };
enum class goal_type { value, file, graph };
enum class config_type { project, user };

struct manifest_file_ref {
  file_ref_type type = file_ref_type::file_inline;
  std::string original;               // the reference as written, e.g. "@prompts/a.md"
  std::optional<std::string> from;    // workflow that referenced it
};

struct manifest_file_entry {
  std::string content;
  manifest_file_ref ref;
};

struct manifest_workflow_config {
  std::string path;    // logical path of workflow.toml
  std::string source;  // raw TOML
};

struct manifest_workflow {
  std::string source;  // raw .fabro text, un-expanded
  std::optional<manifest_workflow_config> config;
  std::map<std::string, manifest_file_entry> files;  // logical path -> file
};

struct manifest_git {
  std::string origin_url;
  std::string branch;
  std::string sha;
  bool clean = false;
};

struct manifest_goal {
  goal_type type = goal_type::value;
  std::string text;
  std::optional<std::string> path;
};

struct manifest_args {
  std::optional<std::string> model;
  std::optional<std::string> provider;
  std::optional<std::string> sandbox;
  std::optional<bool> verbose;
  std::optional<bool> dry_run;
  std::optional<bool> auto_approve;
  std::optional<bool> no_retro;
  std::optional<bool> preserve_sandbox;
  std::vector<std::string> label;  // "k=v" entries; others are ignored
};

struct manifest_target {
  std::string identifier;  // what the user typed
  std::string path;        // key into workflows
};

struct manifest_config {
  config_type type = config_type::project;
  std::optional<std::string> path;
  std::optional<std::string> source;  // raw TOML; absent contributes nothing
};

struct run_manifest {
  int64_t version = 1;
  std::optional<std::string> run_id;  // canonical ULID when the client chose one
  std::string cwd;
  std::optional<manifest_git> git;
  std::optional<manifest_goal> goal;
  manifest_args args;
  manifest_target target;
  std::vector<manifest_config> configs;
  std::map<std::string, manifest_workflow> workflows;

  // The workflow named by target.path. REQUIRES: a manifest from
  // parse_manifest (which guarantees the key exists).
  const manifest_workflow& target_workflow() const { return workflows.at(target.path); }
};

// What one run's manifest may carry, so a queued run stays small (issue
// 11): a larger goal, more or longer labels, more workflows or bundled files
// answer 400 naming the limit ("goal exceeds the limit of 65536 bytes.").
// The body limit (max_body_bytes) bounds the rest.
struct manifest_limits {
  size_t max_goal_bytes = 64u << 10;
  size_t max_labels = 64;
  size_t max_label_bytes = 1024;
  size_t max_workflows = 64;
  size_t max_files = 1024;  // all workflows together
};

// Parses and checks a POST /api/v1/runs body (§2.2 steps 3-4). A field given
// twice in one object fails ("duplicate field `cwd`"), as serde does; NUL in
// cwd, target or a bundle path fails; manifest_limits apply. Unknown fields
// are ignored; `null` counts as absent for optional fields. Fails with
// errc::invalid_request and a detail in Fabro's words, e.g.
// "missing field `cwd`", "unsupported manifest version 2",
// "manifest target path is missing from workflows map",
// "invalid run ID: invalid length". Thread-safe (a parser per thread).
result<run_manifest> parse_manifest(std::string_view body);

// `k=v` labels of args.label as a map; entries without '=' are dropped.
std::map<std::string, std::string> manifest_labels(const run_manifest& m);

const char* to_string(file_ref_type t);
const char* to_string(goal_type t);
const char* to_string(config_type t);

}  // namespace fabro::model
