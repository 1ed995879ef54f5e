// Public: model layer (installed for embedders under include/fabro/).
// The one status vocabulary of our API (DESIGN §4.1): status, the reason of
// a terminal or transitional status, and the control request in flight.
// Pure enums with stable wire names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fabro::model {

enum class run_status {
  submitted, queued, starting, running, completed, failed, cancelled, paused
};

// Why a run is in its status. `none` is omitted on the wire.
enum class status_reason {
  none, completed, partial_success, workflow_error, cancelled, terminated,
  transient_infra, budget_exhausted, launch_failed, bootstrap_failed,
  sandbox_init_failed, sandbox_initializing
};

// A control request accepted but not yet acknowledged by the run.
enum class control_action { none, cancel, pause, unpause };

const char* to_string(run_status s);
const char* to_string(status_reason r);    // "" for none
const char* to_string(control_action a);   // "" for none

// The status capitalised, as Fabro's 409 messages name it ("Completed").
std::string status_title(run_status s);

std::optional<run_status> parse_run_status(std::string_view s);
std::optional<status_reason> parse_status_reason(std::string_view s);   // "" -> none
std::optional<control_action> parse_control_action(std::string_view s); // "" -> none

// completed, failed and cancelled are final: nothing moves a run out of them.
inline bool is_terminal(run_status s) {
  return s == run_status::completed || s == run_status::failed ||
         s == run_status::cancelled;
}

}  // namespace fabro::model
