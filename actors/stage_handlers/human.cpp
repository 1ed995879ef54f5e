#include "actors/stage_handlers/human.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace fabro::actors {

namespace {

struct human_state {
  std::map<std::string, caf::typed_response_promise<stage_reply>> asked;  // by "<run>/<stage>"
  static inline const char* name = "human_handler";
};

using human_pointer = stage_handler_actor::stateful_pointer<human_state>;

// Answers the stage `key` with `reply`, if it is still asking.
void settle(human_pointer self, const std::string& key, stage_reply reply) {
  auto it = self->state.asked.find(key);
  if (it == self->state.asked.end()) return;
  it->second.deliver(std::move(reply));
  self->state.asked.erase(it);
}

stage_handler_actor::behavior_type human_handler(human_pointer self, int) {
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        if (call.choices.empty())
          return to_reply(model::failed_outcome("Human gate " + call.node_id +
                                                " has no outgoing edges to choose from"));
        auto key = call.run_id + "/" + call.stage_id;
        auto promise = self->make_response_promise<stage_reply>();
        self->state.asked[key] = promise;
        self->request(call.interviewer, caf::infinite, stage_question_atom::value, call.stage_id)
            .then(
                [=, choices = call.choices](model::gate_answer& a) {
                  settle(self, key, to_reply(model::gate_outcome(choices, a)));
                },
                [=](caf::error& err) {
                  settle(self, key,
                         to_reply(model::failed_outcome("The question was not answered: " +
                                                        self->system().render(err))));
                });
        return promise;
      },
      [=](stage_control_atom, const std::string& run, const std::string& stage,
          model::control_action action) {
        if (action == model::control_action::cancel)
          settle(self, run + "/" + stage, to_reply(model::failed_outcome("Question interrupted")));
      },
  };
}

}  // namespace

stage_handler_actor spawn_human_handler(caf::actor_system& sys) {
  // (An unused argument: see actors/stage_handlers/simulated_llm.cpp.)
  return sys.spawn(human_handler, 0);
}

}  // namespace fabro::actors
