// Public: actors layer (installed for embedders under include/fabro/).
// Stage handlers, the seam (issue 16 item 3). A run actor carries out a
// stage whose handler type has a registered handler by asking that handler
// actor:
//
//   run ──(stage_atom, stage_call)──────────────────────▶ handler
//       ◀─(stage_event_atom, stage_id, event, props)──── (any number, live)
//       ◀─ stage_reply ───────────────────────────────── (exactly one)
//       ──(stage_control_atom, run_id, stage_id, action)▶ (cancel/pause/unpause)
//       ◀─(stage_question_atom, stage_id)────────────────  (a handler that asks
//       ── gate_answer ──────────────────────────────────▶  the run's users)
//
// The handler type of a node (handler_key) is its `type` attribute when a
// handler is registered under exactly that string (a custom type such as
// "review"), else its resolved type: "agent", "prompt", "command", "human",
// "wait", ... Start, exit, conditional, parallel and fan-in nodes are the
// executor's own and never reach a handler; dry runs simulate every stage
// without asking anyone (engine reference §4.2).
//
// A handler serves many runs' stages at once and must not block its actor
// (do the work elsewhere and answer with a response promise). The run:
// - records the handler's stage events as they arrive (with the node and
//   stage ids), then the reply's events and artifacts, then the outcome;
// - fails the stage with a retryable timeout when no reply comes within the
//   node's `timeout` plus the end allowance (twice the server's kill grace
//   and a second: time for a handler that honours the timeout to end its
//   work; the time a run is paused does not count), and sends the handler a
//   cancel for it;
// - on cancel sends the handler a cancel and ends the run `cancelled` when
//   the reply comes, or after the end allowance at the latest; on pause/unpause
//   sends those (a reply that arrives while paused is held until unpause);
// - fails the stage (retryable) when the handler is gone or answers with an
//   error; the server goes on.
//
// A handler may ask the run's users the stage's question: the node's label
// with its choices (stage_call::choices, the outgoing edges). The run
// publishes it as Fabro's API does (run.blocked, interview.started, listed
// by GET /runs/{id}/questions), takes answers (POST .../answer: validated
// against the choices, 400/409 as Fabro's) and replies with the chosen
// choice once the answer is durable (interview.completed, run.unblocked).
// The request fails when the stage is not being carried out or already has
// a question, and when the stage ends first (cancel, timeout); a stage that
// ends with its question open records interview.interrupted (not on cancel).
//
// The built-in handlers (registered unless an embedder registers the same
// type), all in actors/stage_handlers/: agent and prompt, the simulated LLM
// (simulated_llm.hpp); wait (wait.hpp); command (command.hpp); human
// (human.hpp: asks the run's users and routes on the answer). An embedder's
// human handler may answer on its own (a chat bot, a policy) without asking.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "model/engine/human_gate.hpp"
#include "model/engine/stage_outcome.hpp"
#include "model/run_status.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::actors {

using stage_atom = caf::atom_constant<caf::atom("stage")>;
using stage_event_atom = caf::atom_constant<caf::atom("stageevt")>;
using stage_control_atom = caf::atom_constant<caf::atom("stagectl")>;
using stage_question_atom = caf::atom_constant<caf::atom("stageask")>;

// Where a handler sends a stage's live events: (stage_id, event name,
// properties as a JSON object text). Events for a stage that is no longer
// being carried out are dropped.
using stage_event_sink =
    caf::typed_actor<caf::reacts_to<stage_event_atom, std::string, std::string, std::string>>;

// Where a handler asks the stage's question (stage_id; see above): replies
// with the chosen choice.
using stage_interviewer =
    caf::typed_actor<caf::replies_to<stage_question_atom, std::string>::with<model::gate_answer>>;

// What a handler is asked to do.
struct stage_call {
  std::string run_id;
  std::string node_id;
  std::string node_label;
  std::string stage_id;      // "<node>@<visit>"
  std::string handler_type;  // the key the handler is registered under
  std::map<std::string, std::string> attributes;  // the node's, as text (durations "<n>ms")
  std::string prompt;        // `prompt` (goal rendered, @file inlined), else the label
  std::map<std::string, std::string> context;     // the run's context values
  int64_t attempt = 1;
  int64_t max_attempts = 1;
  std::string work_dir;      // the run's working directory
  int64_t timeout_ms = 0;    // the node's `timeout`; 0 = none
  // A process the stage starts runs with this environment ("NAME=value":
  // the server's, filtered, plus the run's settings) under this wrapper
  // (the run's sandbox: bubblewrap's argv; empty = none).
  std::vector<std::string> env;
  std::vector<std::string> sandbox_argv;
  // Where the reply's artifacts are stored: "<prefix>/<name>"
  // ("stages/<stage_id>/attempt-<n>", "/<node_id>" added in a parallel branch).
  std::string artifact_prefix;
  // The node's outgoing edges as choices (a human gate's question; any
  // handler may route by them through preferred_label/suggested_next_ids).
  std::vector<model::gate_choice> choices;
  stage_event_sink events;         // the run: live stage events go here
  stage_interviewer interviewer;   // the run: the stage's question goes here
};

// An event the handler wants recorded for the stage (props: a JSON object).
struct stage_event {
  std::string event;
  std::string properties_json = "{}";
};

// A file the stage produced, stored as the run's artifact
// "<artifact_prefix>/<name>".
struct stage_artifact {
  std::string name;
  std::string bytes;
};

// Token usage of the stage's model calls (zero = none).
struct stage_usage {
  std::string provider;
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
};

// What the handler answers: the stage's outcome and what to record.
struct stage_reply {
  model::stage_status status = model::stage_status::succeeded;
  std::string notes;
  std::map<std::string, std::string> context_updates;
  std::string preferred_label;                  // "" = none
  std::vector<std::string> suggested_next_ids;
  std::string failure_message;                  // when failed: why
  bool retryable = false;                       // when failed: may be retried
  stage_usage usage;
  std::vector<stage_event> events;
  std::vector<stage_artifact> artifacts;
};

using stage_handler_actor = caf::typed_actor<
    caf::replies_to<stage_atom, stage_call>::with<stage_reply>,
    caf::reacts_to<stage_control_atom, std::string, std::string, model::control_action>>;

// Handlers by handler type (see above).
using stage_handlers = std::map<std::string, stage_handler_actor>;

// The handler type `node` is carried out by, given what is registered.
std::string handler_key(const model::graph_node& node, const stage_handlers& registered);

// Whether `node` goes to a registered handler (never the executor's own).
bool goes_to_handler(const model::graph_node& node, const stage_handlers& registered);

// The outcome the executor routes on (failure classified as a handler's).
model::stage_outcome to_outcome(const stage_reply& reply);

// The reply carrying `o` (a built-in handler's outcome from model/engine):
// status, notes, context updates, label, next ids, failure and whether it
// may be retried.
stage_reply to_reply(model::stage_outcome o);

// `usage` as Fabro's BilledModelUsage JSON; "" when it is zero.
std::string billing_json(const stage_usage& usage);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_call& x) {
  return f(caf::meta::type_name("stage_call"), x.run_id, x.node_id, x.node_label, x.stage_id,
           x.handler_type, x.attributes, x.prompt, x.context, x.attempt, x.max_attempts,
           x.work_dir, x.timeout_ms, x.env, x.sandbox_argv, x.artifact_prefix, x.choices,
           x.events, x.interviewer);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_event& x) {
  return f(caf::meta::type_name("stage_event"), x.event, x.properties_json);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_artifact& x) {
  return f(caf::meta::type_name("stage_artifact"), x.name, x.bytes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_usage& x) {
  return f(caf::meta::type_name("stage_usage"), x.provider, x.model, x.input_tokens,
           x.output_tokens, x.cache_read_tokens);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_reply& x) {
  return f(caf::meta::type_name("stage_reply"), x.status, x.notes, x.context_updates,
           x.preferred_label, x.suggested_next_ids, x.failure_message, x.retryable, x.usage,
           x.events, x.artifacts);
}

}  // namespace fabro::actors

namespace fabro::model {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gate_choice& x) {
  return f(caf::meta::type_name("gate_choice"), x.key, x.label, x.target, x.freeform);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gate_answer& x) {
  return f(caf::meta::type_name("gate_answer"), x.choice, x.text);
}

}  // namespace fabro::model
