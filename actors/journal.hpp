// The journal: the only writer to the run store (DESIGN §3).
//
// Runs on its own thread (detached actor) because commits block on fsync.
// Group commit: every commit request that is waiting in the mailbox when a
// flush begins goes into the same transaction, so concurrent writers share
// one fsync; each requester is answered only after its writes are on disk.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/message_types.hpp"
#include "actors/store_factory.hpp"

namespace fabro::actors {

using publish_atom = caf::atom_constant<caf::atom("publish")>;

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

using journal_actor = caf::typed_actor<
    // Commits the writes durably (one transaction with whatever else is
    // pending) and answers one outcome per write. Fails with
    // errc::storage_failure; then none of these writes were applied.
    caf::replies_to<commit_atom, std::vector<store::run_write>>::with<
        std::vector<store::write_outcome>>,
    // Internal: commit everything pending now.
    caf::reacts_to<flush_atom>>;

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
