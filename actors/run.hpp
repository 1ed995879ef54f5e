// The run actor: one per non-terminal run (DESIGN §3). Owns the live record
// of its run; every transition is committed through the journal before it
// becomes observable. Exits once the run is terminal; reads of finished
// runs then come from the store.
#pragma once

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/journal.hpp"
#include "actors/message_types.hpp"

namespace fabro::actors {

using run_actor = caf::typed_actor<
    // The run's current record.
    caf::replies_to<get_atom>::with<model::run_record>>;

// Spawns the actor of a run whose `record` is already durable.
run_actor spawn_run(caf::actor_system& sys, model::run_record record, journal_actor journal);

}  // namespace fabro::actors
