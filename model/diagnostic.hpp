// Public: model layer (installed for embedders under include/fabro/).
// One finding of workflow parsing or validation, as users see it in
// `POST /runs` 400 bodies, `/validate`, and `fabro-orchestrator validate`.
// Plain value; the .fabro parser and validator produce these.
#pragma once

#include <cstdint>
#include <string>

namespace fabro::model {

enum class severity { error, warning, info };

// Lower-case name: "error", "warning", "info".
inline const char* to_string(severity s) {
  return s == severity::error ? "error" : s == severity::warning ? "warning" : "info";
}

struct diagnostic {
  std::string rule;        // validation rule name, e.g. "start_node"; "parse" for syntax
  severity level = severity::error;
  std::string message;     // one sentence for the user
  std::string node_id;     // node concerned; empty when none
  std::string edge_from;   // edge concerned (both set) ; empty when none
  std::string edge_to;
  uint32_t line = 0;       // 1-based source position; 0 = unknown
  uint32_t column = 0;
};

}  // namespace fabro::model
