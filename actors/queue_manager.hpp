// Public: actors layer (installed for embedders under include/fabro/).
// The queue manager: the one owner of admission (DESIGN §3, §4.2). It
// decides the start order (the sequence number each queued run persists),
// the exact 1-based queue positions, max_queued_runs (the 429) and
// max_concurrent_runs.
//
// A run enters in two steps around its durable commit: reserve gives it
// its sequence number and its place at the tail (it has a position and
// counts against max_queued_runs from then on), confirm says it is durable
// as queued. Admission never passes a reserved run: while fewer than
// max_concurrent_runs runs hold a slot, the head is taken only once it is
// confirmed, given a slot, and handed to the launcher (a `launch`
// message). So the live order is the sequence order a restart restores
// (restore), by construction. A run gives its slot back with release
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
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using confirm_atom = caf::atom_constant<caf::atom("confirm")>;
using abandon_atom = caf::atom_constant<caf::atom("abandon")>;
using restore_atom = caf::atom_constant<caf::atom("restore")>;
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
  uint64_t queued = 0;    // reserved ones included
  uint64_t active = 0;    // runs holding a slot
  uint64_t reserved = 0;  // not yet confirmed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_stats& x) {
  return f(caf::meta::type_name("queue_stats"), x.queued, x.active, x.reserved);
}

using queue_manager_actor = caf::typed_actor<
    // Places run `id` at the tail, reserved, and answers its sequence
    // number (increasing; persist it as the run's queue_seq). Fails with
    // errc::queue_full when max_queued_runs runs are queued or reserved,
    // errc::conflict when `id` is already in the queue.
    caf::replies_to<reserve_atom, std::string>::with<uint64_t>,
    // The reserved `id` is durable as queued: it may be admitted now.
    // Answers its position at that moment (0 when it was not reserved).
    caf::replies_to<confirm_atom, std::string>::with<uint64_t>,
    // The reserved `id` did not become queued (its commit failed): it
    // leaves the queue, the runs behind it move up.
    caf::reacts_to<abandon_atom, std::string>,
    // Restart: `ids`, durable as queued, in their persisted order, go to
    // the tail confirmed; sequence numbers continue above `last_seq`.
    caf::reacts_to<restore_atom, std::vector<std::string>, uint64_t>,
    // reserve and confirm in one step (no commit in between; tests and
    // embedders that keep no store). Queuing an id already queued answers
    // its current position.
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
