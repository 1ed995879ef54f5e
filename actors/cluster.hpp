// Servers sharing a PostgreSQL store act as one orchestrator (issue 18).
// One of them, the queue authority (store/pg_authority.hpp), runs the
// orchestrator; every server answers the API through its own gateway.
//
//   follower node                           authority node
//   ─────────────                           ──────────────
//   HTTP ─► gateway ══ CAF (caf::io) ══════► orchestrator ─► runs
//   SSE  ◄─ event hub ◄════════════════════ endpoint ◄── journal's events
//
// - gateway: the orchestrator_actor every HTTP handler of a node talks to.
//   It relays each request, as it is, to the authority's orchestrator
//   (local, or a remote handle) and its answer back. With no authority
//   known it answers errc::unavailable (503) "No queue authority is
//   reachable…"; when the authority goes down (or the gateway is pointed
//   elsewhere) the requests it has not answered fail the same way at once
//   (a remote node that died never answers). It hands out the journal
//   (intake) only while its orchestrator is local: the create fast path
//   (actors/run_intake.hpp) carries pointers that stay in one process.
// - executor: spawns, on a follower, the run actors of the runs the
//   authority's orchestrator places there; they commit through the
//   authority's journal (fenced by its term) and free their slot in its
//   queue manager, and control reaches them as any run actor.
// - endpoint: what the authority publishes over CAF. A node joins with its
//   event hub and executor and gets the orchestrator back; from then on the endpoint,
//   the orchestrator's event listener, gives every durable event to the
//   authority's own hub and to every joined hub (until that hub's node
//   goes down). A hub that joined before it subscribes its streams misses
//   nothing: replay reads the store, live events come from the endpoint.
//
// Everything these messages carry is registered for the network by
// add_cluster_message_types (on every node, before the actor system).
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/event_hub.hpp"
#include "actors/orchestrator.hpp"

namespace fabro::actors {

using retarget_atom = caf::atom_constant<caf::atom("retarget")>;

using cluster_endpoint_actor = caf::typed_actor<
    // A node joins with its hub, which hears every durable event from now
    // on, and its executor (node id, slots), which the orchestrator may
    // give runs to; answers the orchestrator.
    caf::replies_to<join_atom, event_hub_actor, executor_actor, std::string, uint64_t>::with<
        orchestrator_actor>,
    // From the orchestrator's journal: events just made durable.
    caf::reacts_to<publish_atom, std::vector<published_event>>,
    // The orchestrator to hand out; set once, before publishing.
    caf::reacts_to<orchestrator_actor>>;

// `local_hub` hears every event, like a joined one.
cluster_endpoint_actor spawn_cluster_endpoint(caf::actor_system& sys, event_hub_actor local_hub);

// A node's gateway (dynamically typed: it forwards whatever it gets).
// Messages: (retarget_atom, orchestrator_actor) forwards to that
// orchestrator from now on; (retarget_atom) forwards nowhere (503).
caf::actor spawn_orchestrator_gateway(caf::actor_system& sys);

// A relay to `target` like the gateway (errors and answers relayed,
// unanswered requests failed with 503 when the target goes) that ends with
// the target's exit reason when it goes: the orchestrator's handle of a run
// executing on another node.
caf::actor spawn_relay(caf::actor_system& sys, caf::actor target);

// A node's executor: spawns run actors here, executing as `cfg` says
// (sandbox, stage handlers, LLM providers: actors/run_setup.hpp; its store
// and queue fields are not used), with the queue manager it is given; ends
// them when it ends (the node lost its queue authority).
executor_actor spawn_executor(caf::actor_system& sys, const orchestrator_config& cfg);

// The gateway as the orchestrator HTTP handlers talk to.
orchestrator_actor as_orchestrator(const caf::actor& gateway);

// Registers every type the messages above and the orchestrator's carry
// across nodes.
void add_cluster_message_types(caf::actor_system_config& cfg);

}  // namespace fabro::actors
