// Manifest bodies shared by tests.
#pragma once

#include <string>

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

}  // namespace fabro::testing
