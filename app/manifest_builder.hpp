// Builds a RunManifest from a .fabro file the way the Fabro CLI does
// (reference fabro-runs-api.md §2.1, engine reference §5.2-§5.3):
// `workflows` keyed by cwd-relative paths; `@file` references (prompt,
// goal), `import=` files and `stack.child_workflow` children bundled, each
// child as its own workflow entry; a sibling workflow.toml as `config`;
// `cwd`; `git` state when cwd is in a git work tree. Reads files; runs git.
#pragma once

#include <string>
#include <vector>

#include "model/result.hpp"

namespace fabro::app {

struct manifest_options {
  std::string workflow_file;        // the .fabro path as the user typed it
  std::string cwd;                  // absolute; empty = the process's cwd
  std::string goal;                 // --goal; empty = none
  bool dry_run = false;             // --dry-run
  bool auto_approve = false;        // --auto-approve
  std::vector<std::string> labels;  // --label k=v
};

struct built_manifest {
  std::string json;         // the request body
  std::string target_path;  // the target's key in `workflows`
};

// Fails with errc::invalid_request naming the file that cannot be read.
// A reference that cannot be read is left out (the server then reports
// unresolved_file_ref, with position).
model::result<built_manifest> build_manifest(const manifest_options& opts);

}  // namespace fabro::app
