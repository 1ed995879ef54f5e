// The queue manager: admission of runs under max_concurrent_runs, FIFO by
// start order, with exact 1-based queue positions (DESIGN §3, §4.2).
//
// Runs enter with enqueue. While fewer than max_concurrent_runs runs hold a
// slot, the head of the queue is taken, given a slot, and handed to the
// launcher (a `launch` message). A run gives its slot back with release
// (it ended, or it paused: paused runs hold no slot, as in Fabro) and takes
// one again with occupy (unpaused). Every operation is O(log n) in the
// number of queued runs (model/queue_order.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "model/result.hpp"

namespace fabro::actors {

using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using position_atom = caf::atom_constant<caf::atom("position")>;
using dequeue_atom = caf::atom_constant<caf::atom("dequeue")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using occupy_atom = caf::atom_constant<caf::atom("occupy")>;
using launch_atom = caf::atom_constant<caf::atom("launch")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// Receives the runs the queue admits. The run must answer by moving to
// starting; it owns a slot until it sends release.
using launcher_actor = caf::typed_actor<caf::reacts_to<launch_atom, std::string>>;

struct queue_config {
  uint64_t max_concurrent_runs = 5;  // runs holding a slot at once; 0 admits nothing
  uint64_t max_queued_runs = 0;      // enqueue beyond it fails with queue_full; 0 = no limit
};

// A snapshot for tests and metrics.
struct queue_stats {
  uint64_t queued = 0;
  uint64_t active = 0;  // runs holding a slot
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_stats& x) {
  return f(caf::meta::type_name("queue_stats"), x.queued, x.active);
}

using queue_manager_actor = caf::typed_actor<
    // Appends run `id` at the tail and answers its position at that moment
    // (the run may be launched right after, when a slot is free). Queuing
    // an id already queued answers its current position. Fails with
    // errc::queue_full when max_queued_runs runs are waiting.
    caf::replies_to<enqueue_atom, std::string>::with<uint64_t>,
    // Position of each id (0 = not queued), in the order asked.
    caf::replies_to<position_atom, std::vector<std::string>>::with<std::vector<uint64_t>>,
    // Takes `id` out of the queue (a cancel); answers whether it was queued.
    caf::replies_to<dequeue_atom, std::string>::with<bool>,
    // `id` no longer holds a slot (ended or paused); the head may start.
    caf::reacts_to<release_atom, std::string>,
    // `id` holds a slot again (unpaused); may exceed the limit briefly.
    caf::reacts_to<occupy_atom, std::string>,
    // Sets the launcher that receives admitted runs; admission starts then.
    caf::reacts_to<launcher_actor>,
    // Counts of queued and active runs.
    caf::replies_to<stats_atom>::with<queue_stats>>;

queue_manager_actor spawn_queue_manager(caf::actor_system& sys, queue_config cfg);

}  // namespace fabro::actors
