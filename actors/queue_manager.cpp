#include "actors/queue_manager.hpp"

#include <algorithm>
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
  std::unordered_set<std::string> active;    // runs holding a slot
  std::unordered_set<std::string> reserved;  // queued, not yet confirmed
  uint64_t next_seq = 1;
  launcher_actor launcher;
  static inline const char* name = "queue_manager";
};

using queue_pointer = queue_manager_actor::stateful_pointer<queue_state>;

// Hands out free slots to the head of the queue.
void admit(queue_pointer self) {
  auto& st = self->state;
  if (!st.launcher) return;
  while (st.active.size() < st.cfg.max_concurrent_runs && !st.queue.empty()) {
    if (!st.reserved.empty() && st.reserved.count(*st.queue.front())) return;  // not durable yet
    auto id = *st.queue.pop_front();
    st.active.insert(id);
    self->send(st.launcher, launch_atom::value, id);
  }
}

caf::error queue_full(const queue_state& st) {
  return to_error(model::errc::queue_full, "The queue is full (" +
                                               std::to_string(st.cfg.max_queued_runs) +
                                               " runs waiting). Retry later.");
}

bool full(const queue_state& st) {
  return st.cfg.max_queued_runs > 0 && st.queue.size() >= st.cfg.max_queued_runs;
}

queue_manager_actor::behavior_type queue_impl(queue_pointer self, queue_config cfg) {
  self->state.cfg = cfg;
  return {
      [=](reserve_atom, const std::string& id) -> caf::result<uint64_t> {
        auto& st = self->state;
        if (st.queue.contains(id))
          return to_error(model::errc::conflict, "Run " + id + " is already queued.");
        if (full(st)) return queue_full(st);
        st.queue.push(id);
        st.reserved.insert(id);
        return st.next_seq++;
      },
      [=](confirm_atom, const std::string& id) -> uint64_t {
        auto& st = self->state;
        if (!st.reserved.erase(id)) return 0;
        uint64_t pos = st.queue.position_of(id);
        admit(self);
        return pos;
      },
      [=](abandon_atom, const std::string& id) {
        auto& st = self->state;
        if (!st.reserved.erase(id)) return;
        st.queue.remove(id);
        admit(self);
      },
      [=](restore_atom, const std::vector<std::string>& ids, uint64_t last_seq) {
        auto& st = self->state;
        for (const auto& id : ids)
          if (!st.queue.contains(id)) st.queue.push(id);
        st.next_seq = std::max(st.next_seq, last_seq + 1);
        admit(self);
      },
      [=](enqueue_atom, const std::string& id) -> caf::result<uint64_t> {
        auto& st = self->state;
        if (auto pos = st.queue.position_of(id)) return pos;
        if (full(st)) return queue_full(st);
        uint64_t pos = st.queue.push(id);
        ++st.next_seq;
        admit(self);
        return pos;
      },
      [=](position_atom, const std::vector<std::string>& ids) {
        std::vector<uint64_t> out;
        out.reserve(ids.size());
        for (const auto& id : ids) out.push_back(self->state.queue.position_of(id));
        return out;
      },
      [=](dequeue_atom, const std::string& id) {
        self->state.reserved.erase(id);
        bool was = self->state.queue.remove(id);
        admit(self);  // a reserved head may have gone
        return was;
      },
      [=](release_atom, const std::string& id) {
        if (self->state.active.erase(id)) admit(self);
      },
      [=](occupy_atom, const std::string& id) { self->state.active.insert(id); },
      [=](launcher_actor& launcher) {
        self->state.launcher = std::move(launcher);
        admit(self);
      },
      [=](stats_atom) {
        auto& st = self->state;
        return queue_stats{st.queue.size(), st.active.size(), st.reserved.size()};
      },
  };
}

}  // namespace

queue_manager_actor spawn_queue_manager(caf::actor_system& sys, queue_config cfg) {
  return sys.spawn(queue_impl, cfg);
}

}  // namespace fabro::actors
