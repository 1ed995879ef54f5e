// The built-in handler of agent and prompt stages when no LLM provider is
// registered (actors/stage_handler.hpp is the seam): the
// simulated backend of the engine reference §4.2. Every stage succeeds at
// once with "[Simulated] Response for stage: <id>" as response.<id>,
// last_response and last_stage. Control messages change nothing (there is
// nothing running).
#pragma once

#include <caf/fwd.hpp>

#include "actors/stage_handler.hpp"

namespace fabro::actors {

stage_handler_actor spawn_simulated_llm_handler(caf::actor_system& sys);

}  // namespace fabro::actors
