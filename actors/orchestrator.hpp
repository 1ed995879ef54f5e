// Public: actors layer (installed for embedders under include/fabro/).
// The orchestrator: the typed facade that HTTP handlers and embedders use
// (DESIGN §3). Spawn it inside any caf::actor_system; it owns the journal,
// the store reader, the queue manager and one run actor per executing run
// (submitted and queued runs wait without one: actors/orchestrator_state.hpp).
//
// Every reply is either the value named below or a `fabro` error
// (actors/errors.hpp: to_problem() turns it back into a model::problem).
#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/journal.hpp"
#include "actors/message_types.hpp"
#include "actors/queue_manager.hpp"
#include "actors/stage_handler.hpp"
#include "model/llm/llm_wire.hpp"
#include "actors/store_factory.hpp"

namespace fabro::actors {

using intake_atom = caf::atom_constant<caf::atom("intake")>;

// Spawns run actors on another server of a shared store (actors/cluster.hpp):
// the actor of a durable run `record`, committing through `journal` and
// giving its slot back to `queue` (both the queue authority's); answers
// the run actor (an actors/run.hpp run_actor).
using executor_actor = caf::typed_actor<
    caf::replies_to<run_atom, model::run_record, journal_actor, queue_manager_actor>::with<
        caf::actor>>;

struct orchestrator_stats {
  uint64_t run_actors = 0;  // runs executing (or being ended) in an actor
  uint64_t submitted = 0;   // waiting without an actor
  uint64_t queued = 0;      // waiting without an actor, in the queue
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, orchestrator_stats& x) {
  return f(caf::meta::type_name("orchestrator_stats"), x.run_actors, x.submitted, x.queued);
}

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
    // Runs newest first, from the first one older than (created_ms, id),
    // at most `limit` (keyset paging: store::run_store::list_runs_before).
    caf::replies_to<list_atom, int64_t, std::string, uint64_t>::with<run_page>,
    // Events of run `id` with seq >= since_seq, at most `limit`. Fails with
    // errc::run_not_found.
    caf::replies_to<events_atom, std::string, uint64_t, uint64_t>::with<event_page>,
    // Like create, then queues the run in the same step (POST /runs?start=
    // true): the run is created in status queued, with run.created,
    // run.submitted and run.queued, in one commit; answers the record with
    // its queue_position. The same id with identical bytes answers the
    // existing run as it is (created=false, not started). Fails with
    // errc::queue_full before anything is created when max_queued_runs runs
    // are waiting.
    caf::replies_to<create_atom, model::new_run, bool>::with<create_result>,
    // Queues run `id` for execution (POST /runs/{id}/start): durably
    // `queued` (event run.queued), then admitted FIFO by the queue manager
    // under max_concurrent_runs. Answers the record in status queued with
    // its 1-based queue_position. `resume` = true asks to resume from the
    // last checkpoint. Fails with errc::run_not_found; errc::queue_full;
    // errc::conflict with Fabro's messages: "an engine process is still
    // running for this run — cannot start" (queued/starting/running/paused;
    // "… cannot resume" with resume), "cannot start run: status is
    // Completed, expected submitted" (terminal, resume=false), "no
    // checkpoint to resume from" (resume=true without a checkpoint).
    caf::replies_to<start_atom, std::string, bool>::with<model::run_record>,
    // The same with resume=false.
    caf::replies_to<start_atom, std::string>::with<model::run_record>,
    // Delivers control `action` (cancel | pause | unpause) to run `id` on
    // behalf of `login` (recorded as the actor of the run.*.requested event),
    // with the priority cancel > pause > unpause (reference §4.6). Answers
    // the record after the request is durable: a submitted/queued run is
    // cancelled at once (status cancelled); otherwise the status is the
    // current one with pending_control set, and the effect follows (a
    // running command's process group is stopped with SIGSTOP on pause,
    // continued on unpause, terminated on cancel). Fails with
    // errc::run_not_found, or errc::conflict: "Run is not cancellable.",
    // "Run is not pausable.", "Run is not paused.", "Run control request is
    // already pending.".
    caf::replies_to<control_atom, model::control_action, std::string, std::string>::with<
        model::run_record>,
    // Appends `event` (model/appended_event.hpp) to the log of run `id` with
    // the next seq, through its actor while it executes, else after the
    // stored log; answers that seq once durable (the event hub then streams
    // it). Fails with errc::run_not_found, errc::storage_failure.
    caf::replies_to<append_atom, std::string, model::run_event>::with<uint64_t>,
    // Deletes run `id` with its manifest and events (DELETE /runs/{id}).
    // A submitted run that was never started is removed at once; any other
    // non-terminal run needs `force`: it is cancelled first and removed
    // once it has ended. Answers true once removed, false when the id was
    // unknown. Fails with errc::conflict "Run is active; cancel it first or
    // use force=true." without force.
    caf::replies_to<delete_atom, std::string, bool>::with<bool>,
    // Internal, from the queue manager: run `id` may start now (it gets its
    // actor; it resumes when it has a checkpoint). Sent again after a start
    // that met a failing store; the run keeps its slot meanwhile.
    caf::reacts_to<launch_atom, std::string>,
    // How many runs have an actor and how many wait without one.
    caf::replies_to<stats_atom>::with<orchestrator_stats>,
    // Answers the open human question `qid` of run `id` with `answer`
    // (model/engine/human_gate.hpp: an option key, a value, or our legacy
    // text); answers the record once the answer is durable. Fails with
    // errc::run_not_found, errc::conflict (run::kQuestionGone) or
    // errc::invalid_request (Fabro's 400 texts in human_gate.hpp).
    caf::replies_to<answer_atom, std::string, std::string, model::human_answer>::with<
        model::run_record>,
    // The open questions of run `id` (GET /runs/{id}/questions): a JSON
    // array of Fabro's ApiQuestion, "[]" for a run not waiting at a gate.
    // Fails with errc::run_not_found.
    caf::replies_to<questions_atom, std::string>::with<std::string>,
    // The latest checkpoint JSON of run `id` (model/engine/checkpoint.hpp),
    // "" when it has none. Fails with errc::run_not_found.
    caf::replies_to<checkpoint_atom, std::string>::with<std::string>,
    // The run_definition JSON of run `id` (model/run_definition.hpp: what
    // it executes, with its merged settings). Fails with errc::run_not_found.
    caf::replies_to<definition_atom, std::string>::with<std::string>,
    // How many runs the store holds and the bytes it takes.
    caf::replies_to<usage_atom>::with<store::store_usage>,
    // Stored runs by keyset with their bytes (actors/store_reader.hpp).
    caf::replies_to<usage_atom, int64_t, std::string, uint64_t>::with<run_usage_page>,
    // Runs on Fabro's board (running, paused, completed), newest first:
    // skip `offset`, at most `limit`.
    caf::replies_to<board_atom, uint64_t, uint64_t>::with<run_page>,
    // The artifacts of run `id` (model/run_artifacts.hpp). Fails with
    // errc::run_not_found.
    caf::replies_to<artifacts_atom, std::string>::with<std::vector<model::stored_artifact>>,
    // The bytes of artifact `name` of run `id`. Fails with
    // errc::run_not_found (run or artifact unknown).
    caf::replies_to<artifact_atom, std::string, std::string>::with<std::string>,
    // Fabro's RunProjection JSON of run `id` (GET /runs/{id}/state: the
    // store reader folds the committed log). Fails with errc::run_not_found.
    caf::replies_to<state_atom, std::string>::with<std::string>,
    // Fabro's RunStage list and a stage's turns (actors/store_reader.hpp).
    caf::replies_to<stages_atom, std::string, uint64_t, uint64_t>::with<std::string>,
    caf::replies_to<turns_atom, std::string, std::string>::with<std::string>,
    // Fabro's RunBilling of run `id`: its stages' model usage
    // (actors/store_reader.hpp). Fails with errc::run_not_found.
    caf::replies_to<billing_atom, std::string>::with<std::string>,
    // Stores `bytes` as artifact `name` of run `id` (an upload; replaces one
    // of the same name); answers true once durable. Fails with
    // errc::run_not_found or errc::storage_failure.
    caf::replies_to<artifact_atom, std::string, std::string, std::string>::with<bool>,
    // Answers true once everything committed to the journal before this
    // request is on disk (graceful shutdown).
    caf::replies_to<flush_atom>::with<bool>,
    // The journal, for the submission fast path (actors/run_intake.hpp):
    // submit_run(journal, run, waiter) creates like `create` above, with
    // the same answers, without a request to this actor.
    caf::replies_to<intake_atom>::with<journal_actor>,
    // Internal, from the journal: the runs of a synced batch.
    caf::reacts_to<created_atom, created_notice>,
    // Another server of a shared store offers to execute runs
    // (actors/cluster.hpp): its executor, its node id and how many runs it
    // takes at once. Admitted runs go to the node executing the fewest
    // (this one included) among those with a free slot; while the
    // executor's node is up. A run whose node goes away ends failed /
    // terminated and gives its slot back.
    caf::reacts_to<join_atom, executor_actor, std::string, uint64_t>>;

struct orchestrator_config {
  store_factory make_store;  // where runs are kept; required
  // false: runs with dry_run=false fail with launch_failed instead of running
  // commands in the local sandbox (server config `local sandbox on/off`).
  bool local_sandbox = true;
  // false: retry backoff delays without jitter (deterministic tests).
  bool retry_jitter = true;
  // Grace between SIGTERM and SIGKILL of a timed-out command's process group.
  int64_t kill_grace_ms = 2000;
  // Where command stages' process groups are recorded while they run
  // (actors/stage_records.hpp); "" records nothing.
  std::string stage_records_dir;
  // The sandbox of command stages: "local" (default) or "bubblewrap" (every
  // stage under bwrap at bwrap_path); a run may ask for bubblewrap itself
  // when bwrap_path is set ("" = bwrap cannot run here). sandbox_hidden:
  // paths a bubblewrap stage must not see (the data directory).
  std::string sandbox = "local";
  std::string bwrap_path;
  std::vector<std::string> sandbox_hidden;
  // Hears every event once it is durable (the event hub); may be null.
  event_listener_actor event_listener;
  // Hears when commits start failing and when they succeed again (a log
  // line per episode); may be empty.
  storage_watch on_storage;
  // Stage handlers by handler type (actors/stage_handler.hpp): an
  // embedder's replace the built-in ones of the same type (agent and prompt:
  // the simulated LLM; wait) and add custom types (a node's `type=`).
  stage_handlers handlers;
  // LLM stages (issue 17). Unless `handlers` has both agent and prompt:
  // prompt and agent stages call these providers (by name: "openai", "anthropic");
  // when it is empty and llm_from_environment, those OPENAI_API_KEY /
  // ANTHROPIC_API_KEY configure (llm_base_urls replacing the default base
  // URLs); agent stages run their tool-use loop on them. With no
  // provider, a run with agent or prompt stages fails workflow_error
  // ("Precondition failed: No LLM providers configured…", as Fabro) unless
  // simulate_llm opts into the simulation. Dry runs simulate everything.
  std::map<std::string, model::llm::endpoint> llm_providers;
  bool llm_from_environment = true;
  std::map<std::string, std::string> llm_base_urls;
  std::map<std::string, std::string> llm_key_files;  // by provider: a key's file, when no variable
  model::llm::llm_defaults llm_defaults;  // the last layer of provider/model choice
  bool simulate_llm = false;
  // Admission: max_concurrent_runs (default 5; 0 admits nothing) and
  // max_queued_runs (0 = no limit; beyond it start answers queue_full).
  queue_config queue;
};

// Spawns the orchestrator and its journal and store reader, then recovers
// the runs the store holds (DESIGN §5). Fails when the store cannot be
// opened (nothing is left running).
model::result<orchestrator_actor> spawn_orchestrator(caf::actor_system& sys,
                                                     const orchestrator_config& cfg);

}  // namespace fabro::actors
