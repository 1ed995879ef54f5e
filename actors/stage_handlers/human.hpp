// The built-in handler of human stages (the seam is actors/stage_handler.hpp):
// asks the run's users the gate's question through the call's interviewer
// and answers with the outcome of the chosen choice (model::gate_outcome:
// its edge's label and target, human.gate.* in the context). A gate without
// outgoing edges fails at once. Cancel answers failed ("Question
// interrupted": the run ends cancelled); so does an interviewer that refuses
// or goes away (the gate fails closed). Pause and unpause change nothing: an
// answer given while paused is held by the run until unpause.
#pragma once

#include <caf/fwd.hpp>

#include "actors/stage_handler.hpp"

namespace fabro::actors {

stage_handler_actor spawn_human_handler(caf::actor_system& sys);

}  // namespace fabro::actors
