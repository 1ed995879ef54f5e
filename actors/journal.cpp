#include "actors/journal.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"

namespace fabro::actors {
namespace {

using outcomes = std::vector<store::write_outcome>;

struct pending_commit {
  std::vector<store::run_write> writes;
  caf::typed_response_promise<outcomes> promise;
};

struct journal_state {
  std::shared_ptr<store::run_store> store;
  std::vector<pending_commit> pending;
  bool flush_scheduled = false;
  event_listener_actor listener;
  storage_watch watch;
  uint64_t failed_commits = 0;  // since the last good commit
  static inline const char* name = "journal";
};

using journal_pointer = journal_actor::stateful_pointer<journal_state>;

// Tells the watch when a fault episode begins or ends (not every failure).
void note_health(journal_state& st, const model::problem* failure) {
  if (failure) {
    if (st.failed_commits++ == 0 && st.watch) st.watch(true, failure->detail);
  } else if (st.failed_commits > 0) {
    if (st.watch) st.watch(false, std::to_string(st.failed_commits));
    st.failed_commits = 0;
  }
}

// Commits every pending request in one transaction and answers each.
void flush(journal_pointer self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  std::vector<pending_commit> batch;
  batch.swap(st.pending);
  std::vector<store::run_write> writes;
  for (auto& p : batch) writes.insert(writes.end(), p.writes.begin(), p.writes.end());
  auto result = st.store->commit(writes);
  note_health(st, result ? nullptr : &result.error());
  if (result && st.listener) {
    // Only now, on disk, may anyone see these events.
    std::vector<published_event> events;
    for (const auto& w : writes)
      if (w.kind == store::write_kind::create || w.kind == store::write_kind::append)
        for (const auto& e : w.events)
          events.push_back({e.run_id, e.seq, e.event, model::envelope_json(e)});
    if (!events.empty()) self->send(st.listener, publish_atom::value, std::move(events));
  }
  auto next = result ? result->begin() : outcomes::iterator{};
  for (auto& p : batch) {
    if (!result) {
      p.promise.deliver(to_error(result.error()));
      continue;
    }
    auto end = next + static_cast<std::ptrdiff_t>(p.writes.size());
    p.promise.deliver(outcomes(next, end));
    next = end;
  }
}

journal_actor::behavior_type journal_impl(journal_pointer self,
                                          std::shared_ptr<store::run_store> store,
                                          event_listener_actor listener, storage_watch watch) {
  self->state.store = std::move(store);
  self->state.listener = std::move(listener);
  self->state.watch = std::move(watch);
  return {
      [=](commit_atom, std::vector<store::run_write>& writes) -> caf::result<outcomes> {
        auto& st = self->state;
        auto promise = self->make_response_promise<outcomes>();
        st.pending.push_back(pending_commit{std::move(writes), promise});
        // The flush message queues behind every commit already waiting, so
        // they all join this batch.
        if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
        return promise;
      },
      [=](flush_atom) { flush(self); },
  };
}

}  // namespace

model::result<journal_actor> spawn_journal(caf::actor_system& sys,
                                           const store_factory& make_store,
                                           event_listener_actor listener,
                                           storage_watch watch) {
  auto store = make_store();
  if (!store) return store.error();
  std::shared_ptr<store::run_store> shared(std::move(*store));
  return sys.spawn<caf::detached>(journal_impl, shared, std::move(listener), std::move(watch));
}

}  // namespace fabro::actors
