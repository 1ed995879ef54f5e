// Public: actors layer (installed for embedders under include/fabro/).
// The journal: the only writer to the run store (DESIGN §3).
//
// Runs on its own thread (detached actor). Group commit, pipelined: every
// commit request and submission waiting in the mailbox when a flush begins
// goes into one transaction, committed without waiting for the disk
// (run_store::commit_unsynced); the journal's sync thread
// (actors/journal_sync.hpp) then runs one store sync covering every batch
// committed before it began, while the journal already writes the next
// batch. Which sync covers which batch: batch N is released by the first
// sync that began after N's COMMIT returned — the sync thread takes N from
// its queue only after the journal pushed it, which it does right after the
// COMMIT. Nobody hears of a batch before that sync returned: not its
// requesters, waiters, event listener, nor the created listener. A batch
// with commit requests has its events published only after those requests
// are answered, so a client that saw an event (an SSE stream) and then
// asks the run reads a state at least as new. A failed
// commit or sync answers every write of its batches with
// errc::storage_failure. A failed sync is not retried (after a failed
// fdatasync the kernel may have dropped the dirty pages, as PostgreSQL
// learned in 2018): the journal refuses every later write with
// errc::storage_failure until the server restarts and recovers from what
// the disk holds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/message_types.hpp"
#include "actors/run_intake.hpp"
#include "actors/store_factory.hpp"

namespace fabro::actors {

using publish_atom = caf::atom_constant<caf::atom("publish")>;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using created_atom = caf::atom_constant<caf::atom("created")>;
using synced_atom = caf::atom_constant<caf::atom("synced")>;

// One event just made durable, as the journal publishes it.
struct published_event {
  std::string run_id;
  uint64_t seq = 0;
  std::string event;     // name, e.g. "run.completed"
  std::string envelope;  // the envelope JSON
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, published_event& x) {
  return f(caf::meta::type_name("published_event"), x.run_id, x.seq, x.event, x.envelope);
}

// Who hears about events once they are on disk (the event hub): every
// event of every committed batch, in commit order (so in seq order per run).
using event_listener_actor =
    caf::typed_actor<caf::reacts_to<publish_atom, std::vector<published_event>>>;

// Who hears of the runs each synced batch created (the orchestrator).
using created_listener_actor = caf::typed_actor<caf::reacts_to<created_atom, created_notice>>;

using journal_actor = caf::typed_actor<
    // Commits the writes durably (one transaction with whatever else is
    // pending) and answers one outcome per write. Fails with
    // errc::storage_failure; then none of these writes were applied.
    caf::replies_to<commit_atom, std::vector<store::run_write>>::with<
        std::vector<store::write_outcome>>,
    // The fast path (actors/run_intake.hpp): creates the submitted run in
    // the next batch; its waiter hears the outcome after the batch's sync.
    caf::reacts_to<submit_atom, submission>,
    // Sets who hears of created runs (before any submission is sent).
    caf::reacts_to<created_listener_actor>,
    // Internal: commit everything pending now.
    caf::reacts_to<flush_atom>,
    // Internal, from the sync thread: batches up to `last` are released;
    // `failure` is "" or why their sync failed.
    caf::reacts_to<synced_atom, uint64_t, std::string>>;

// Sends a prepared run (actors/run_submission.hpp, actors/run_intake.hpp) to the journal from any
// thread; `waiter` is answered exactly once.
void submit_run(const journal_actor& journal, model::new_run run, create_waiter_ptr waiter);

// Hears of storage fault episodes, once each way: failing=true with the
// store's error on the first failed commit after a good one; failing=false
// with the count of failed commits on the first good commit after that.
// Called on the journal's thread; must not block.
using storage_watch = std::function<void(bool failing, const std::string& detail)>;

// Spawns the journal over a store from `make_store`. Fails with the store's
// open error (nothing spawned).
// `listener` (may be null) receives the events of each commit after it is
// durable. `watch` (may be empty) hears of storage fault episodes.
model::result<journal_actor> spawn_journal(caf::actor_system& sys,
                                           const store_factory& make_store,
                                           event_listener_actor listener = {},
                                           storage_watch watch = {});

}  // namespace fabro::actors
