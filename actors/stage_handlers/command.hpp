// The built-in handler of command stages (the seam is
// actors/stage_handler.hpp; engine reference §4.4): runs the node's
// `script` (`language="python"`: python3 -c) with /bin/bash -c in the call's
// working directory, environment and sandbox wrapper, through a process
// runner per attempt (actors/process_runner.hpp: own process group, the
// node's `timeout`, default 10 min, then SIGTERM, grace, SIGKILL).
//
// Events: command.started (live, before the process runs) and
// command.completed (exit code, termination, tails of stdout/stderr and
// their artifact refs); artifacts "stdout" and "stderr". The outcome is
// model::command_outcome's. Control: pause stops the group (SIGSTOP) and the
// timeout, unpause continues both, cancel ends the group as a timeout does;
// the reply follows once the group is gone.
#pragma once

#include <cstdint>
#include <string>

#include <caf/fwd.hpp>

#include "actors/stage_handler.hpp"

namespace fabro::actors {

struct command_handler_config {
  int64_t kill_grace_ms = 2000;   // SIGTERM → SIGKILL of a group that must end
  std::string stage_records_dir;  // actors/stage_records.hpp; "" records nothing
};

stage_handler_actor spawn_command_handler(caf::actor_system& sys, command_handler_config cfg);

}  // namespace fabro::actors
