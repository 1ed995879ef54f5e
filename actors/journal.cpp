#include "actors/journal.hpp"

#include <pthread.h>

#include <deque>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/journal_sync.hpp"

namespace fabro::actors {
namespace {

using outcomes = std::vector<store::write_outcome>;
using outcomes_promise = caf::typed_response_promise<outcomes>;

struct pending_commit {
  std::vector<store::run_write> writes;
  outcomes_promise promise;
};

// The typed answers of one committed batch, held until its sync returns.
struct unsynced_batch {
  uint64_t number;
  std::vector<std::pair<outcomes_promise, outcomes>> answers;
  // The batch's events when it has typed answers: published right after
  // those (see synced()).
  std::vector<published_event> events;
};

struct journal_state {
  std::shared_ptr<store::run_store> store;
  std::vector<pending_commit> pending;
  std::vector<submission> submissions;
  bool flush_scheduled = false;
  event_listener_actor listener;
  created_listener_actor created_to;
  storage_watch watch;
  uint64_t failed_commits = 0;  // since the last good commit
  uint64_t next_batch = 1;
  std::deque<unsynced_batch> unsynced;
  std::string broken;  // why a sync failed; then every write is refused
  std::unique_ptr<journal_syncer> syncer;  // declared last: stopped first
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

bool has_events(const store::run_write& w) {
  return w.kind == store::write_kind::create || w.kind == store::write_kind::append;
}

// Renders each event's envelope once, for the store and the listener.
void render_envelopes(std::vector<store::run_write>& writes) {
  for (auto& w : writes) {
    if (!has_events(w) || w.envelopes.size() == w.events.size()) continue;
    w.envelopes.clear();
    for (const auto& e : w.events) w.envelopes.push_back(model::envelope_json(e));
  }
}

// What the batch releases once synced: its events, and the submissions'
// answers (each create write of a submission is at `first + i`).
// Takes the records and envelopes out of `writes` (committed, not needed
// after this).
committed_batch release_of(journal_state& st, std::vector<store::run_write>& writes,
                           outcomes& out, size_t first, std::vector<submission>& subs) {
  committed_batch b;
  b.number = st.next_batch++;
  b.listener = st.listener;
  b.created_to = st.created_to;
  if (st.listener)
    for (size_t w = 0; w < writes.size(); ++w) {
      if (!has_events(writes[w])) continue;
      // A create that found its id taken added no events.
      if (writes[w].kind == store::write_kind::create &&
          out[w].status != store::write_status::applied)
        continue;
      for (size_t i = 0; i < writes[w].events.size(); ++i) {
        const auto& e = writes[w].events[i];
        b.events.push_back({e.run_id, e.seq, e.event, std::move(writes[w].envelopes[i])});
      }
    }
  for (size_t i = 0; i < subs.size(); ++i) {
    auto& o = out[first + i];
    auto& w = writes[first + i];  // its record is moved out below
    auto& waiter = subs[i].waiter;
    switch (o.status) {
      case store::write_status::applied:
        b.created.emplace_back(std::move(waiter), create_result{w.record, true});
        b.notice.created.push_back(std::move(w.record));
        break;
      case store::write_status::existing:
        b.notice.existing.push_back({std::move(o.existing), std::move(waiter)});
        break;
      case store::write_status::conflict:
        b.refused.emplace_back(std::move(waiter), conflicting_run(w.record.id));
        break;
    }
  }
  return b;
}

// Commits every pending request and submission in one transaction without
// waiting for the disk, then hands the batch to the sync thread; nothing
// is answered before its sync (see the header).
void flush(journal_pointer self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  std::vector<pending_commit> batch;
  batch.swap(st.pending);
  std::vector<submission> subs;
  subs.swap(st.submissions);
  std::vector<store::run_write> writes;
  for (auto& p : batch)
    for (auto& w : p.writes) writes.push_back(std::move(w));
  size_t first_submission = writes.size();
  for (auto& s : subs) writes.push_back(create_write(s.run));
  render_envelopes(writes);
  auto result = st.broken.empty()
                    ? st.store->commit_unsynced(writes)
                    : model::result<outcomes>(model::make_problem(
                          model::errc::storage_failure,
                          "the store's last sync failed (" + st.broken +
                              "); restart the server to recover from what is on disk"));
  if (!result) {
    note_health(st, &result.error());
    for (auto& p : batch) p.promise.deliver(to_error(result.error()));
    for (auto& s : subs) s.waiter->done(result.error());
    return;
  }
  unsynced_batch typed;
  auto next = result->begin();
  for (auto& p : batch) {
    auto end = next + static_cast<std::ptrdiff_t>(p.writes.size());
    typed.answers.emplace_back(std::move(p.promise), outcomes(next, end));
    next = end;
  }
  auto released = release_of(st, writes, *result, first_submission, subs);
  typed.number = released.number;
  // A requester (a run actor) is answered before anyone hears the events
  // its commit made durable: the answer is in its mailbox before a client
  // that saw an event can ask it anything, so it never reads an older state.
  if (!typed.answers.empty()) typed.events.swap(released.events);
  st.unsynced.push_back(std::move(typed));
  st.syncer->push(std::move(released));
}

// The sync thread released every batch up to `last`: their typed commit
// requests are answered here, in order.
void schedule_flush(journal_pointer self);

void synced(journal_pointer self, uint64_t last, const std::string& failure) {
  auto& st = self->state;
  model::problem p;
  if (!failure.empty()) {
    p = model::make_problem(model::errc::storage_failure, failure);
    if (st.broken.empty()) st.broken = failure;
  }
  note_health(st, failure.empty() ? nullptr : &p);
  while (!st.unsynced.empty() && st.unsynced.front().number <= last) {
    auto& batch = st.unsynced.front();
    for (auto& [promise, out] : batch.answers) {
      if (failure.empty()) promise.deliver(std::move(out));
      else promise.deliver(to_error(p));
    }
    if (failure.empty() && !batch.events.empty() && st.listener)
      self->send(st.listener, publish_atom::value, std::move(batch.events));
    st.unsynced.pop_front();
  }
  schedule_flush(self);
}

// Batches committed and not yet synced, at most: one syncing and one
// written meanwhile. More would only make batches smaller (every
// transaction rewrites its touched pages into the WAL), not answers sooner.
constexpr size_t kMaxUnsynced = 2;

bool has_work(const journal_state& st) { return !st.pending.empty() || !st.submissions.empty(); }

void schedule_flush(journal_pointer self) {
  // The flush message queues behind every write already waiting, so they
  // all join this batch. While kMaxUnsynced batches wait for their sync,
  // writes gather for the next one; `synced` schedules it.
  auto& st = self->state;
  if (st.flush_scheduled || st.unsynced.size() >= kMaxUnsynced || !has_work(st)) return;
  st.flush_scheduled = true;
  self->send(self, flush_atom::value);
}

journal_actor::behavior_type journal_impl(journal_pointer self,
                                          std::shared_ptr<store::run_store> store,
                                          event_listener_actor listener, storage_watch watch) {
  pthread_setname_np(pthread_self(), "journal");  // its own thread (detached)
  auto& st = self->state;
  st.store = store;
  st.listener = std::move(listener);
  st.watch = std::move(watch);
  st.syncer = std::make_unique<journal_syncer>(std::move(store), self->ctrl());
  return {
      [=](commit_atom, std::vector<store::run_write>& writes) -> caf::result<outcomes> {
        auto promise = self->make_response_promise<outcomes>();
        self->state.pending.push_back(pending_commit{std::move(writes), promise});
        schedule_flush(self);
        return promise;
      },
      [=](submit_atom, submission& s) {
        self->state.submissions.push_back(std::move(s));
        schedule_flush(self);
      },
      [=](created_listener_actor& to) { self->state.created_to = std::move(to); },
      [=](flush_atom) { flush(self); },
      [=](synced_atom, uint64_t last, const std::string& failure) {
        synced(self, last, failure);
      },
  };
}

}  // namespace

store::run_write create_write(model::new_run& run) {
  return {store::write_kind::create,
          run.record,
          std::move(run.manifest_bytes),
          std::move(run.definition),
          std::move(run.events),
          "",
          "",
          std::move(run.envelopes)};
}

model::problem conflicting_run(const std::string& id) {
  return model::make_problem(model::errc::conflict,
                             "Run " + id + " already exists with a different manifest.");
}

void submit_run(const journal_actor& journal, model::new_run run, create_waiter_ptr waiter) {
  caf::anon_send(journal, submit_atom::value, submission{std::move(run), std::move(waiter)});
}

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
