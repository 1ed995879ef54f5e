// Runs on other servers of a shared store (issue 18, actors/cluster.hpp):
// where an admitted run executes, and what becomes of it when its node
// goes. The queue manager still decides when a run starts (the cluster's
// max_concurrent_runs); this decides where.
#include <algorithm>

#include "actors/cluster.hpp"
#include "actors/id_source.hpp"
#include "actors/orchestrator_state.hpp"
#include "model/run_recovery.hpp"
#include "model/run_status.hpp"

namespace fabro::actors {
namespace {

// How long a node may take to spawn a run's actor before the run executes
// here instead (a node that died mid-request never answers).
constexpr auto kSpawnTimeout = std::chrono::seconds(10);

using executor_entry = orchestrator_state::executor_entry;

// Runs executing on `node` ("" = this server).
uint64_t load(const orchestrator_state& st, const std::string& node) {
  if (node.empty()) return st.runs.size() - st.placed.size();
  return static_cast<uint64_t>(std::count_if(st.placed.begin(), st.placed.end(),
                                             [&](const auto& p) { return p.second == node; }));
}

// The executor that runs fewest among those with a free slot, when it runs
// fewer than this server (or this one has no free slot); null: here.
const executor_entry* choose(const orchestrator_state& st) {
  const executor_entry* best = nullptr;
  uint64_t here = load(st, "");
  bool free = here < st.local_slots;
  uint64_t best_load = here;
  for (const auto& e : st.executors) {
    auto l = load(st, e.node);
    if (l >= e.slots) continue;
    if (!free || l < best_load) {
      best = &e;
      best_load = l;
      free = true;
    }
  }
  return best;
}

// A run placed on `node`: the orchestrator holds a local relay to it
// (spawn_relay), so a request in flight fails at once when the node goes.
void adopt_placed(orchestrator_pointer self, const std::string& id, caf::actor remote,
                  std::string node) {
  auto& st = self->state;
  st.waiting.erase(id);
  auto run = caf::actor_cast<run_actor>(spawn_relay(self->system(), std::move(remote)));
  self->monitor(run);
  st.run_ids.emplace(run.address(), id);
  st.runs.emplace(id, std::move(run));
  st.placed.emplace(id, std::move(node));
}

// The node executing run `id` went away: the run ends as a restart ends
// it (failed/terminated, or cancelled when a cancel was pending), then
// gives its slot back.
void end_lost_run(orchestrator_pointer self, const std::string& id, const std::string& node) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](model::run_record& r) {
            if (model::is_terminal(r.status)) return run_ended(self, id);
            auto step = model::recover_after_node_loss(r, now_ms(), node);
            std::vector<model::run_event> events{*step.event};
            stamp_events(events);
            std::vector<store::run_write> writes{
                {store::write_kind::update, step.record, "", "", {}, "", ""},
                {store::write_kind::append, step.record, "", "", std::move(events), "", ""}};
            self->request(self->state.journal, caf::infinite, commit_atom::value, writes)
                .then([=](const std::vector<store::write_outcome>&) { run_ended(self, id); },
                      [=](caf::error&) { run_ended(self, id); });  // ended at the next recovery
          },
          [=](caf::error&) { run_ended(self, id); });
}

}  // namespace

void place(orchestrator_pointer self, const std::string& id, std::function<void()> then,
           std::function<void(caf::error)> failed) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](model::run_record& r) {
            auto* there = choose(self->state);
            if (!there) {
              adopt_run(self, std::move(r));
              return then();
            }
            auto node = there->node;
            self->request(there->handle, kSpawnTimeout, run_atom::value, r,
                          self->state.journal, self->state.queue)
                .then(
                    [=](caf::actor& remote) {
                      if (self->state.runs.count(id)) return then();  // woken meanwhile
                      adopt_placed(self, id, std::move(remote), node);
                      then();
                    },
                    [=](caf::error&) {
                      adopt_run(self, r);  // the node is gone or slow: here
                      then();
                    });
          },
          [=](caf::error& err) { failed(std::move(err)); });
}

void join_executor(orchestrator_pointer self, executor_actor executor, std::string node,
                   uint64_t slots) {
  auto& ex = self->state.executors;
  // A node that joins again (it reconnected) replaces its entry.
  ex.erase(std::remove_if(ex.begin(), ex.end(), [&](const auto& e) { return e.node == node; }),
           ex.end());
  self->monitor(executor);
  ex.push_back({std::move(executor), std::move(node), slots});
}

bool node_down(orchestrator_pointer self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto gone = std::find_if(st.executors.begin(), st.executors.end(),
                           [&](const auto& e) { return e.handle.address() == dm.source; });
  if (gone != st.executors.end()) {
    st.executors.erase(gone);
    return true;
  }
  auto rid = st.run_ids.find(dm.source);
  if (rid == st.run_ids.end()) return false;
  auto where = st.placed.find(rid->second);
  if (where == st.placed.end()) return false;
  auto id = rid->second;
  auto node = where->second;
  st.placed.erase(where);
  st.run_ids.erase(rid);
  st.runs.erase(id);
  if (!dm.reason) run_ended(self, id);  // it ended there, as runs end
  else end_lost_run(self, id, node);
  return true;
}

}  // namespace fabro::actors
