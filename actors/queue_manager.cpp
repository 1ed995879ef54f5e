#include "actors/queue_manager.hpp"

#include <unordered_set>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "model/queue_order.hpp"

namespace fabro::actors {
namespace {

struct queue_state {
  queue_config cfg;
  model::queue_order queue;
  std::unordered_set<std::string> active;  // runs holding a slot
  launcher_actor launcher;
  static inline const char* name = "queue_manager";
};

using queue_pointer = queue_manager_actor::stateful_pointer<queue_state>;

// Hands out free slots to the head of the queue.
void admit(queue_pointer self) {
  auto& st = self->state;
  if (!st.launcher) return;
  while (st.active.size() < st.cfg.max_concurrent_runs && !st.queue.empty()) {
    auto id = *st.queue.pop_front();
    st.active.insert(id);
    self->send(st.launcher, launch_atom::value, id);
  }
}

queue_manager_actor::behavior_type queue_impl(queue_pointer self, queue_config cfg) {
  self->state.cfg = cfg;
  return {
      [=](enqueue_atom, const std::string& id) -> caf::result<uint64_t> {
        auto& st = self->state;
        if (auto pos = st.queue.position_of(id)) return pos;
        if (st.cfg.max_queued_runs > 0 && st.queue.size() >= st.cfg.max_queued_runs)
          return to_error(model::errc::queue_full,
                          "The queue is full (" + std::to_string(st.cfg.max_queued_runs) +
                              " runs waiting). Retry later.");
        uint64_t pos = st.queue.push(id);
        admit(self);
        return pos;
      },
      [=](position_atom, const std::vector<std::string>& ids) {
        std::vector<uint64_t> out;
        out.reserve(ids.size());
        for (const auto& id : ids) out.push_back(self->state.queue.position_of(id));
        return out;
      },
      [=](dequeue_atom, const std::string& id) { return self->state.queue.remove(id); },
      [=](release_atom, const std::string& id) {
        if (self->state.active.erase(id)) admit(self);
      },
      [=](occupy_atom, const std::string& id) { self->state.active.insert(id); },
      [=](launcher_actor& launcher) {
        self->state.launcher = std::move(launcher);
        admit(self);
      },
      [=](stats_atom) {
        return queue_stats{self->state.queue.size(), self->state.active.size()};
      },
  };
}

}  // namespace

queue_manager_actor spawn_queue_manager(caf::actor_system& sys, queue_config cfg) {
  return sys.spawn(queue_impl, cfg);
}

}  // namespace fabro::actors
