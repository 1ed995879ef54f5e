#include "actors/stage_handlers/simulated_llm.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "model/engine/handlers.hpp"

namespace fabro::actors {

namespace {

stage_handler_actor::behavior_type simulated_llm(stage_handler_actor::pointer, int) {
  return {
      [](stage_atom, const stage_call& call) {
        return to_reply(model::simulated_llm_outcome(call.node_id));
      },
      [](stage_control_atom, const std::string&, const std::string&, model::control_action) {},
  };
}

}  // namespace

stage_handler_actor spawn_simulated_llm_handler(caf::actor_system& sys) {
  // (An unused argument: CAF 0.17 cannot spawn an argument-less function
  // actor under UBSan; actors/graph_renderer.cpp.)
  return sys.spawn(simulated_llm, 0);
}

}  // namespace fabro::actors
