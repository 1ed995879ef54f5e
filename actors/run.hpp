// The run actor: one per executing run (DESIGN §3), spawned when the queue
// manager admits the run (or to end a waiting run on cancel or forced
// delete; queueing is the orchestrator's: actors/orchestrator_control.cpp). Owns the live record
// of its run and executes its workflow (engine reference §3-§4) by driving
// model::executor one step at a time: stages whose type has a registered
// handler go to it (actors/stage_handler.hpp: agent, prompt, command, wait
// and an embedder's own), retry backoffs are timers, human gates wait for
// an answer message. Nothing here blocks.
//
// Every transition and event is committed through the journal before it is
// observable: `get` answers the last committed record. While the store
// fails, requests that change the run are refused with errc::storage_failure
// and change nothing; the run's own progress waits and is committed once the
// store recovers (actors/run_state.hpp has the whole contract). All event emission
// goes through one function (commit_pending in run.cpp), which assigns the
// contiguous seq numbers and is the place to publish to an event hub.
// Exits once the run is terminal; reads of finished runs then come from the
// store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/journal.hpp"
#include "actors/message_types.hpp"
#include "actors/queue_manager.hpp"
#include "actors/stage_handler.hpp"
#include "model/llm/llm_wire.hpp"

namespace fabro::actors {
// The 409 of an answer to a question that is not open (Fabro's text).
inline constexpr const char* kQuestionGone = "Question no longer exists or was already answered.";
// Why a run with LLM stages fails when no provider is configured (Fabro's).
inline constexpr const char* kNoLlmProviders =
    "Precondition failed: No LLM providers configured. Set ANTHROPIC_API_KEY or "
    "OPENAI_API_KEY, or pass --dry-run to simulate.";
}  // namespace fabro::actors

namespace fabro::actors {

using run_actor = caf::typed_actor<
    // The run's current (committed) record.
    caf::replies_to<get_atom>::with<model::run_record>,
    // Starts a submitted or queued run that executes `definition` (a
    // model::run_definition JSON): commits status starting + run.starting,
    // answers that record, then bootstraps and executes in the background
    // until the run is terminal. Fails with errc::conflict in any other
    // status (or when already started).
    caf::replies_to<start_atom, std::string>::with<model::run_record>,
    // The same, continuing from `checkpoint` (a model::checkpoint JSON; ""
    // = from the start).
    caf::replies_to<start_atom, std::string, std::string>::with<model::run_record>,
    // Answers the open human question `qid` with `answer` (an option label,
    // a target node id, or free text for a freeform edge); answers the
    // record once the answer is durable. Fails with errc::conflict when no
    // such question is open, errc::invalid_request when the answer matches
    // no option.
    caf::replies_to<answer_atom, std::string, model::human_answer>::with<model::run_record>,
    // The open questions as a JSON array of Fabro's ApiQuestion (the one a
    // human gate waits on, or none).
    caf::replies_to<questions_atom>::with<std::string>,
    // Applies control `action` on behalf of `login` (model/run_control.hpp
    // decides; errc::conflict when refused). Answers the record once the
    // request is durable; the effect follows: cancel ends the run
    // (terminating a running command's process group), pause stops it at
    // once (SIGSTOP of the running command; the timeout stops ticking) and
    // gives its queue slot back, unpause continues it.
    caf::replies_to<control_atom, model::control_action, std::string>::with<model::run_record>,
    // Appends `event` (model/appended_event.hpp: a worker's) to the log with
    // the next seq, committed with whatever the run has pending; it changes
    // nothing else. Answers the committed record, whose last_seq is the
    // event's seq.
    caf::replies_to<append_atom, model::run_event>::with<model::run_record>,
    // A stage handler's live event: (stage_id, event, properties JSON).
    caf::reacts_to<stage_event_atom, std::string, std::string, std::string>,
    // A stage handler asks the stage's question (actors/stage_handler.hpp):
    // the chosen choice, once the answer is durable.
    caf::replies_to<stage_question_atom, std::string>::with<model::gate_answer>,
    // Internal: a wait stage's or retry backoff's timer `token` fired.
    caf::reacts_to<resume_atom, uint64_t>,
    // Internal: retry the commit that failed (the store was failing).
    caf::reacts_to<commit_atom>>;

// How runs execute on this server.
struct run_options {
  queue_manager_actor queue;    // gets release/occupy of the run's slot; may be null
  bool local_sandbox = true;    // false: runs with dry_run=false fail with launch_failed
  bool retry_jitter = true;     // false: retry backoff without jitter (tests)
  // SIGTERM → SIGKILL of a group that must end; a stage handler's end
  // allowance is twice this and a second (actors/stage_handler.hpp).
  int64_t kill_grace_ms = 2000;
  // The server's sandbox ("local" or "bubblewrap": every stage in bwrap),
  // bwrap's path ("" = it cannot run here) and the paths a bubblewrap stage
  // must not see (the data directory). model/engine/sandbox_isolation.hpp.
  std::string sandbox = "local";
  std::string bwrap_path;
  std::vector<std::string> sandbox_hidden;
  // The stage handlers by handler type (actors/stage_handler.hpp); a stage
  // whose type has none is a human gate of the run's own, or fails.
  stage_handlers handlers;
  // Which LLM stages are simulated ("agent and prompt", "agent",
  // "prompt"; "" = none); a run.notice says so.
  std::string simulated_llm = "agent and prompt";
  // No provider and no opt-in: runs with LLM stages fail their precondition.
  bool llm_unavailable = false;
  model::llm::llm_defaults llm_defaults;
};

// Spawns the actor of a run whose `record` is already durable.
run_actor spawn_run(caf::actor_system& sys, model::run_record record, journal_actor journal,
                    run_options options = {});

}  // namespace fabro::actors
