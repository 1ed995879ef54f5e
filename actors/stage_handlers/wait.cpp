#include "actors/stage_handlers/wait.hpp"

#include <chrono>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/id_source.hpp"
#include "model/engine/handlers.hpp"
#include "model/workflow/attr_value.hpp"

namespace fabro::actors {

namespace {

using wait_actor = stage_handler_actor::extend<caf::reacts_to<resume_atom, std::string, uint64_t>>;

struct waiting_stage {
  caf::typed_response_promise<stage_reply> promise;
  int64_t left_ms = 0;    // still to wait when armed_at_ms was set
  int64_t armed_at_ms = 0;
  uint64_t token = 0;     // the timer that counts; others are stale
  bool paused = false;
};

struct wait_state {
  std::map<std::string, waiting_stage> stages;  // by "<run>/<stage>"
  uint64_t tokens = 0;
  static inline const char* name = "wait_handler";
};

using wait_pointer = wait_actor::stateful_pointer<wait_state>;

void arm(wait_pointer self, const std::string& key, waiting_stage& w) {
  w.token = ++self->state.tokens;
  w.armed_at_ms = now_ms();
  self->delayed_send(self, std::chrono::milliseconds(w.left_ms), resume_atom::value, key, w.token);
}

wait_actor::behavior_type wait_handler(wait_pointer self, int) {
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        auto d = call.attributes.find("duration");
        auto ms = d == call.attributes.end() ? std::nullopt : model::parse_duration_text(d->second);
        if (!ms) return to_reply(model::missing_duration_outcome());
        auto key = call.run_id + "/" + call.stage_id;
        auto& w = self->state.stages[key];
        w.promise = self->make_response_promise<stage_reply>();
        w.left_ms = *ms;
        arm(self, key, w);
        return w.promise;
      },
      [=](resume_atom, const std::string& key, uint64_t token) {
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end() || it->second.token != token || it->second.paused)
          return;
        it->second.promise.deliver(stage_reply{});
        self->state.stages.erase(it);
      },
      [=](stage_control_atom, const std::string& run, const std::string& stage,
          model::control_action action) {
        auto key = run + "/" + stage;
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end()) return;
        auto& w = it->second;
        switch (action) {
          case model::control_action::cancel:
            w.promise.deliver(to_reply(model::failed_outcome("Wait cancelled")));
            self->state.stages.erase(it);
            return;
          case model::control_action::pause:
            if (w.paused) return;
            w.paused = true;
            w.left_ms = std::max<int64_t>(0, w.left_ms - (now_ms() - w.armed_at_ms));
            ++w.token;
            return;
          case model::control_action::unpause:
            if (!w.paused) return;
            w.paused = false;
            arm(self, key, w);
            return;
          case model::control_action::none: return;
        }
      },
  };
}

}  // namespace

stage_handler_actor spawn_wait_handler(caf::actor_system& sys) {
  return caf::actor_cast<stage_handler_actor>(sys.spawn(wait_handler, 0));
}

}  // namespace fabro::actors
