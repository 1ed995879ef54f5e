// Internal to the run actor (actors/run*.cpp): its state and the commit
// gate every change of the run goes through (actors/run_commit.cpp).
//
// The gate's contract:
// - At most one journal request of the run is in flight. Inputs that change
//   the run (requests, a command's result, timers) that arrive meanwhile are
//   held and handled, in arrival order, once it is answered; so nothing
//   changes the run while a commit is undecided.
// - A request's changes are undone if its commit fails: the run is back as
//   the request found it and the request gets errc::storage_failure (503).
//   Nothing half-done stays in memory.
// - The run's own progress (a stage finished, a timer fired) is never
//   thrown away: a failed commit keeps its writes pending and is retried with
//   backoff (100 ms doubling to 2 s) until the store takes it; the run waits
//   at that point. A request that arrives while the store fails makes the
//   run try its commit at once: the request is handled if it goes through,
//   refused with errc::storage_failure if not (so within one commit's time).
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/run.hpp"
#include "actors/stage_handler.hpp"
#include "model/engine/executor.hpp"
#include "model/run_definition.hpp"

namespace fabro::actors {

// What the run waits for between messages.
enum class waiting { nothing, proceed, timer_backoff, handler };

using record_promise = caf::typed_response_promise<model::run_record>;
using answer_promise = caf::typed_response_promise<model::gate_answer>;

// The part of the run a request may change before its commit, as it was.
struct undo_point {
  model::run_record live;
  bool started = false;
  waiting wait = waiting::nothing;
  std::string question_id;
  std::function<void()> held;
  size_t pending = 0;  // events pending before the request
  size_t extra = 0;    // checkpoint/artifact writes pending before it
  record_promise promise;
};

// An input held while a commit is in flight; `promise` is set for requests
// (refused if the run ends before it is handled).
struct held_input {
  std::function<void()> run;
  std::optional<record_promise> promise;
};

struct run_state {
  model::run_record committed;  // what get answers
  model::run_record live;       // the record as of the pending events
  journal_actor journal;
  run_options opts;
  std::vector<model::run_event> pending;
  std::vector<store::run_write> extra;  // checkpoint and artifact writes
  bool started = false;
  model::run_definition def;
  std::string work_dir;
  std::string sandbox = "local";  // the provider the stages run in
  // What a stage's process runs with (stage_call::env, ::sandbox_argv),
  // fixed for the run at bootstrap.
  std::vector<std::string> stage_env;
  std::vector<std::string> sandbox_argv;
  std::optional<model::executor> exec;
  waiting wait = waiting::nothing;
  uint64_t timer_token = 0;
  model::stage_request stage;  // the stage being carried out by the actor
  std::string question_id;     // the stage's open question; "" = none
  int64_t question_at_ms = 0;  // when it was asked
  std::optional<answer_promise> asker;  // the handler waiting for its answer
  // The stage handler carrying out the stage (actors/run_stage.cpp).
  stage_handler_actor handler;
  uint64_t call_id = 0;          // the call whose reply counts
  int64_t deadline_left_ms = 0;  // of the node's timeout (+ allowance); 0 = none
  int64_t deadline_armed_at_ms = 0;
  std::function<void()> held;  // what continues the run once unpaused
  int uncommitted_stages = 0;  // stages finished since the last commit
  // The commit gate (see above).
  bool committing = false;       // a journal request is in flight
  bool storage_down = false;     // the last commit failed; a retry is scheduled
  int64_t retry_ms = 0;          // the next retry's delay
  bool ended = false;            // quit; nothing more is handled
  bool refusing = false;         // handing out the refusals of a failed commit
  std::optional<undo_point> undo;  // the request being handled, until it commits
  std::vector<std::function<void()>> after_commit;  // continuations of the next commit
  std::deque<held_input> inputs;  // what arrived during the commit in flight
  static inline const char* name = "run";
};

using run_pointer = run_actor::stateful_pointer<run_state>;

// Commits the pending events, the live record and any checkpoint/artifact
// writes in one journal request, then runs `next` (may be null). The one
// place events leave the run.
void commit_pending(run_pointer self, std::function<void()> next);

// Handles a request that changes the run: `handle` answers `promise` (at
// once, or after its commit). Held while a commit is in flight; while the
// store fails, handled or refused (errc::storage_failure) by a probe commit.
caf::result<model::run_record> admit_request(run_pointer self,
                                             std::function<void(record_promise&)> handle);

// Handles an input of the run's own (a command's result, a timer) now, or
// after the commit in flight.
void admit_input(run_pointer self, std::function<void()> handle);

// Retries a failed commit (the commit_atom message to itself).
void retry_commit(run_pointer self);

// The run's steps shared by its files (defined in run.cpp).
// Queues an event of the run for the next commit.
void emit(run_pointer self, std::string name, std::string props, std::string node_id = "",
          std::string node_label = "", std::string stage_id = "");
// A JSON object of string fields.
std::string object(std::initializer_list<std::pair<const char*, std::string>> fields);
// The stage being carried out ended with `o`: the run goes on (held while
// paused; a pending cancel ends it instead).
void complete(run_pointer self, model::stage_outcome o);
// Ends the run cancelled (a control request's commit may run `after_commit`).
void finish_cancelled(run_pointer self, std::function<void()> after_commit = nullptr);

// The stage's question (actors/run_human.cpp).
// Publishes the question of stage `stage_id` (asked by its handler);
// `promise` gets the chosen choice once the answer is durable.
void ask(run_pointer self, const std::string& stage_id, answer_promise promise);
// Answers question `qid` (answer_atom of actors/run.hpp).
void answer(run_pointer self, record_promise& promise, const std::string& qid,
            const model::human_answer& given);
// The stage ended: its open question is interrupted (recorded unless the
// run is being cancelled) and its asker refused.
void close_question(run_pointer self);
// The open questions as a JSON array of Fabro's ApiQuestion.
std::string open_questions(run_pointer self);

// Stage handlers (actors/run_stage.cpp, contract in actors/stage_handler.hpp).
// Asks `handler` to carry out the current stage of `node`.
void call_handler(run_pointer self, const model::graph_node& node, stage_handler_actor handler);
// A live stage event from the handler.
void on_stage_event(run_pointer self, const std::string& stage_id, std::string event,
                    std::string props);
// The deadline timer `token` fired (the resume_atom of waiting::handler).
void on_handler_deadline(run_pointer self, uint64_t token);
// Passes a durable control request on to the handler (cancel, pause and
// unpause; the deadline stops while paused).
void control_handler(run_pointer self, model::control_action action);

// Ends the actor: held requests are refused (the orchestrator then answers
// from the store), then quit.
void end_run(run_pointer self);

}  // namespace fabro::actors
