// Public: actors layer (installed for embedders under include/fabro/).
// The event hub: fans run events out to live subscribers (SSE streams)
// (DESIGN §3; reference §9.3).
//
// A per-run subscription replays the durable log from its since_seq (via
// the orchestrator), then continues with live events, with no gap and no
// duplicate across the switch (live events are held back during replay and
// deduplicated by seq), and ends right after run.completed / run.failed. A
// global subscription gets live events of all runs, or of a set of runs.
//
// Bounds: each subscriber may have at most `max_pending_bytes` unsent; a
// slower consumer is sent a final comment and dropped, so memory stays
// bounded. Idle streams get a keep-alive comment every `keepalive`; a
// consumer that went away is noticed at the next write and dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/event_sink.hpp"
#include "actors/journal.hpp"
#include "actors/orchestrator.hpp"

namespace fabro::actors {

using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using tick_hub_atom = caf::atom_constant<caf::atom("tickhub")>;
using reset_hub_atom = caf::atom_constant<caf::atom("resethub")>;

struct subscription {
  event_sink_ptr sink;
  // Per-run mode: the run, and the first seq to send (>= 1). Global mode:
  // run_id empty; `filter` lists run ids (empty = every run).
  std::string run_id;
  uint64_t since_seq = 1;
  std::vector<std::string> filter;
  // Per-run mode: 0, or the last seq of a run that had already finished
  // when the stream was opened; the stream ends once it is past that seq
  // (at once when since_seq > until_seq), so a finished run never leaves a
  // stream open, even one whose log does not end in run.completed/failed.
  uint64_t until_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("subscription"), x.sink, x.run_id, x.since_seq, x.filter,
           x.until_seq);
}

struct event_hub_config {
  std::chrono::milliseconds keepalive{15000};  // idle comment interval
  size_t max_pending_bytes = 1u << 20;         // per subscriber; beyond: dropped
};

using event_hub_actor = caf::typed_actor<
    // Events just committed, in seq order per run (from the journal).
    caf::reacts_to<publish_atom, std::vector<published_event>>,
    // Where replays come from; set once, before the first subscription.
    caf::reacts_to<orchestrator_actor>,
    // Starts a stream (replay first in per-run mode).
    caf::reacts_to<subscribe_atom, subscription>,
    // Internal: keep-alives and flushing of queued bytes.
    caf::reacts_to<tick_hub_atom>,
    // Ends every stream with a final comment (its live events came from a
    // queue authority that is gone: actors/cluster.hpp); clients resume
    // with Last-Event-ID, replayed from the store.
    caf::reacts_to<reset_hub_atom>,
    // Number of open subscriptions (tests, metrics).
    caf::replies_to<get_atom>::with<uint64_t>>;

// `events_source` answers events_atom pages (the orchestrator); it may be
// null and set later by message (the orchestrator needs the hub first).
event_hub_actor spawn_event_hub(caf::actor_system& sys, orchestrator_actor events_source,
                                event_hub_config cfg);

// The SSE frame of one event: "id: <seq>\ndata: <envelope>\n\n".
std::string sse_frame(uint64_t seq, const std::string& envelope);

// Whether an event name ends a run's stream.
inline bool is_terminal_event(const std::string& name) {
  return name == "run.completed" || name == "run.failed";
}

}  // namespace fabro::actors
