// The built-in handler of wait stages (the seam is
// actors/stage_handler.hpp): answers succeeded after the node's `duration`.
// Pause stops the clock and unpause starts it again with the time that was
// left; cancel answers at once, failed ("Wait cancelled"). A node without a
// `duration` fails ("Wait stage requires a duration", not retried).
#pragma once

#include <caf/fwd.hpp>

#include "actors/stage_handler.hpp"

namespace fabro::actors {

stage_handler_actor spawn_wait_handler(caf::actor_system& sys);

}  // namespace fabro::actors
