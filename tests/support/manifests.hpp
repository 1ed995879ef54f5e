// Manifest bodies shared by tests.
#pragma once

#include <string>

#include "model/json_writer.hpp"

namespace fabro::testing {

// The minimal valid manifest of the reference (§2.1), optionally with a run id
// and a goal text.
inline std::string minimal_manifest(const std::string& run_id = "",
                                    const std::string& cwd = "/tmp") {
  std::string id = run_id.empty() ? "" : "\"run_id\":\"" + run_id + "\",";
  return "{\"version\":1," + id + "\"cwd\":\"" + cwd +
         "\",\"target\":{\"identifier\":\"workflow.fabro\",\"path\":\"workflow.fabro\"},"
         "\"args\":{\"label\":[\"team=infra\",\"bad\"]},"
         "\"workflows\":{\"workflow.fabro\":{\"source\":\"digraph T { graph [goal=\\\"Test\\\"] "
         "start [shape=Mdiamond] exit [shape=Msquare] start -> exit }\",\"files\":{}}}}";
}

// A manifest running the .fabro `source` in `cwd`: for real, or simulated
// with `dry_run`.
inline std::string exec_manifest(const std::string& source, const std::string& cwd,
                                 bool dry_run = false) {
  std::string src, dir;
  model::append_json_string(src, source);
  model::append_json_string(dir, cwd);
  return "{\"version\":1,\"cwd\":" + dir +
         ",\"target\":{\"identifier\":\"workflow.fabro\",\"path\":\"workflow.fabro\"},"
         "\"args\":{\"dry_run\":" + (dry_run ? "true" : "false") + "},\"workflows\":{\"workflow.fabro\":{\"source\":" + src +
         ",\"files\":{}}}}";
}

// start -> work -> exit, `work` a command stage running `script` (no double
// quotes inside).
inline std::string command_workflow(const std::string& script) {
  return "digraph C { start [shape=Mdiamond] exit [shape=Msquare]\n"
         "  work [shape=parallelogram, script=\"" + script + "\"]\n"
         "  start -> work -> exit }";
}

}  // namespace fabro::testing
