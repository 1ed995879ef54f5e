// Public: actors layer (installed for embedders under include/fabro/).
// Run events as actor messages, for embedders (issue 16 item 2): an event
// hub subscription (actors/event_hub.hpp) whose stream goes to an actor of
// the embedder instead of a socket. The hub's guarantees carry over: a
// per-run subscription replays the durable log from `since_seq`, then goes
// live with no gap and no duplicate, and ends right after run.completed /
// run.failed; a global one gets the live events of every run (or of the
// listed runs) until the hub stops.
//
// `dest` receives, in seq order per run:
//   (run_event_atom, run_id, seq, envelope)  one committed event; envelope
//                                            is its JSON text (Fabro's
//                                            RunEvent, as GET …/events)
//   (events_end_atom, run_id)                the stream ended ("" for a
//                                            global one); nothing follows
// Subscribe with caf::anon_send(hub, subscribe_atom::value, <subscription>).
// An actor's mailbox has no bound: a consumer that never reads grows it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>

#include "actors/event_hub.hpp"

namespace fabro::actors {

using run_event_atom = caf::atom_constant<caf::atom("runevent")>;
using events_end_atom = caf::atom_constant<caf::atom("eventsend")>;

// Run `run_id`'s events from `since_seq` (>= 1), replayed then live.
subscription run_events_to(caf::actor dest, std::string run_id, uint64_t since_seq = 1);

// Live events of every run, or only of `runs` when it is not empty.
subscription all_events_to(caf::actor dest, std::vector<std::string> runs = {});

}  // namespace fabro::actors
