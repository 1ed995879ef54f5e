// The orchestrator: the typed facade that HTTP handlers and embedders use
// (DESIGN §3). Spawn it inside any caf::actor_system; it owns the journal,
// the store reader and one run actor per non-terminal run.
//
// Every reply is either the value named below or a `fabro` error
// (actors/errors.hpp: to_problem() turns it back into a model::problem).
#pragma once

#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/journal.hpp"
#include "actors/message_types.hpp"
#include "actors/store_factory.hpp"

namespace fabro::actors {

using orchestrator_actor = caf::typed_actor<
    // Makes a prepared run (actors/run_submission.hpp) durable: record,
    // manifest, run.created and run.submitted in one commit, then answers
    // {record, created=true}. The same id with a byte-identical manifest
    // answers the existing run with created=false; with a different
    // manifest fails with errc::conflict. Fails with errc::storage_failure.
    caf::replies_to<create_atom, model::new_run>::with<create_result>,
    // The current record of run `id` (canonical ULID). Fails with
    // errc::run_not_found.
    caf::replies_to<get_atom, std::string>::with<model::run_record>,
    // Runs newest first: skip `offset`, at most `limit`.
    caf::replies_to<list_atom, uint64_t, uint64_t>::with<run_page>,
    // Events of run `id` with seq >= since_seq, at most `limit`. Fails with
    // errc::run_not_found.
    caf::replies_to<events_atom, std::string, uint64_t, uint64_t>::with<event_page>,
    // Starts submitted run `id` now (until the queue routes starts): the run
    // actor loads its definition and answers the record in status starting,
    // then executes in the background. Fails with errc::run_not_found, or
    // errc::conflict when the run is not submitted/queued.
    caf::replies_to<start_atom, std::string>::with<model::run_record>,
    // Answers the open human question `qid` of run `id` with `answer` (an
    // option label, target node id, or freeform text); answers the record
    // once the answer is durable. Fails with errc::run_not_found,
    // errc::conflict (no such open question) or errc::invalid_request (the
    // answer matches no option).
    caf::replies_to<answer_atom, std::string, std::string, std::string>::with<model::run_record>,
    // Answers true once everything committed to the journal before this
    // request is on disk (graceful shutdown).
    caf::replies_to<flush_atom>::with<bool>>;

struct orchestrator_config {
  store_factory make_store;  // where runs are kept; required
  // false: runs with dry_run=false fail with launch_failed instead of running
  // commands in the local sandbox (server config `local sandbox on/off`).
  bool local_sandbox = true;
  // false: retry backoff delays without jitter (deterministic tests).
  bool retry_jitter = true;
  // Grace between SIGTERM and SIGKILL of a timed-out command's process group.
  int64_t kill_grace_ms = 2000;
  // Hears every event once it is durable (the event hub); may be null.
  event_listener_actor event_listener;
};

// Spawns the orchestrator and its journal and store reader, then recovers
// the runs the store holds (DESIGN §5). Fails when the store cannot be
// opened (nothing is left running).
model::result<orchestrator_actor> spawn_orchestrator(caf::actor_system& sys,
                                                     const orchestrator_config& cfg);

}  // namespace fabro::actors
