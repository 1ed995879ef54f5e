// `fabro-orchestrator validate PATH.fabro`: checks one workflow file the way
// POST /api/v1/validate does (templates, `@file` inlining, every lint rule)
// and prints each finding like a compiler, `PATH:LINE:COL: error: … [rule]`.
//
// `@file` prompt and goal references are read from disk relative to the
// workflow file's directory; a reference that cannot be read stays
// unresolved and is reported by rule unresolved_file_ref. No TOML config is
// read, so `{{ inputs.X }}` is undefined here. Called only by app/main.cpp.
#pragma once

#include <iosfwd>
#include <string>

namespace fabro::app {

// Validates the workflow at `path`. Diagnostics go to `err`, one line each,
// then a one-line summary to `out`. Returns the process exit code: 0 when
// valid (warnings allowed), 1 when any error-severity finding exists, 2
// when the file cannot be read.
int validate_command(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace fabro::app
