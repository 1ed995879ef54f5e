// The workflow executor (reference §3.1) as a pure state machine. The run
// actor drives it one step at a time; the executor never blocks, sleeps,
// spawns or reads a clock.
//
//   begin()     seeds the context (graph.*, internal.*), emits run.started
//   proceed()   runs the current node: stages that need nothing from outside
//               (start, conditional, LLM stages on the simulated backend,
//               fan-in, and in dry run everything) complete inside the call
//               and yield `next`; a command/wait/human stage that must really
//               happen yields `execute` — the actor does it and calls
//               complete() with the outcome
//   complete()  feeds a stage outcome back: retries (backoff), auto_status,
//               allow_partial, circuit breaker, stage.completed/failed,
//               context bookkeeping, edge selection, checkpoint
//   retry()     after a backoff delay, the next attempt
// Every call appends engine events (take_events) in Appendix A order; each
// executed stage leaves a checkpoint (take_checkpoint). A `finished` step
// ends the run: succeeded, or failed with the message Fabro would give.
//
// Parallel nodes run their branches one after another (each branch is one
// node, the target of an outgoing edge), then jump to the join node.
// Owned by one run actor; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/engine/checkpoint.hpp"
#include "model/engine/retry_policy.hpp"
#include "model/engine/stage_outcome.hpp"
#include "model/result.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// One event for the run's log, before the actor gives it seq, id and time.
struct engine_event {
  std::string event;                  // e.g. "stage.started"
  std::string properties_json = "{}";
  std::string node_id;                // "" = absent
  std::string node_label;
  std::string stage_id;               // "<node>@<visit>"
};

struct executor_options {
  std::string run_id;
  std::string work_dir;          // context internal.work_dir
  bool dry_run = false;          // simulate every handler; visit limit 10 by default
  bool auto_approve = false;     // human gates take the first option
  bool jitter = true;            // false: backoff delays without jitter (tests)
  // Draws in [0,1) for backoff jitter and random edge selection; nullptr =
  // always 0.5 (no jitter effect, deterministic).
  std::function<double()> draw;
  // Nodes whose stage someone outside the executor carries out (an
  // embedder's or built-in stage handler) besides needs_actor's: the
  // handler type stage.started reports for such a node (e.g. a custom
  // "review"), "" for any other. Not asked in a dry run (everything is
  // simulated), nor for human gates when auto-approving. nullptr = none.
  std::function<std::string(const graph_node&)> external;
};

// A stage the actor must carry out (command, wait or human for real).
struct stage_request {
  std::string node_id;
  std::string stage_id;      // "<node>@<visit>" of the stage (or its parallel parent)
  int64_t attempt = 1;
  int64_t max_attempts = 1;
  int branch = -1;           // parallel branch index; -1 = an ordinary stage
};

enum class step_kind {
  execute,   // do `stage` and call complete()
  backoff,   // wait `delay_ms`, then call retry()
  next,      // a stage finished; call proceed() for the next one
  finished,  // the run is over (`succeeded`, `error`)
};

struct step {
  step_kind kind = step_kind::next;
  stage_request stage;     // execute
  int64_t delay_ms = 0;    // backoff
  bool succeeded = false;  // finished
  std::string error;       // finished and failed: the run's error message
};

class executor {
 public:
  // Fails with errc::validation_failed when the graph has no start node.
  static result<executor> create(workflow_graph g, executor_options opts);

  step begin();
  // Instead of begin(): continues a run from its last checkpoint (the
  // context, visits, retries and outcomes it recorded); the next proceed()
  // executes `next_node_id`; a run that failed at current_node retries it;
  // one that succeeded with no next node finishes.
  step resume(const checkpoint& c);
  step proceed();
  step complete(stage_outcome outcome);
  step retry();

  // Events since the last call, in order.
  std::vector<engine_event> take_events();
  // The checkpoint of the last executed stage, once.
  std::optional<checkpoint> take_checkpoint();

  const workflow_graph& graph() const { return g_; }
  const std::map<std::string, std::string, std::less<>>& context() const { return context_; }
  // The stage of the last `execute` step.
  const stage_request& current() const { return stage_; }

 private:
  struct parallel_state {
    std::vector<std::string> targets;
    size_t next = 0;
    std::vector<std::pair<std::string, stage_status>> results;
  };

  executor(workflow_graph g, executor_options opts);
  double draw() const { return opts_.draw ? opts_.draw() : 0.5; }
  // The external handler type of `n`; "" when the executor carries it out
  // (every stage of a dry run, human gates when auto-approving).
  std::string external_type(const graph_node& n) const {
    if (opts_.dry_run || !opts_.external) return std::string();
    if (opts_.auto_approve && n.handler() == handler_type::human) return std::string();
    return opts_.external(n);
  }
  const graph_node& node(const std::string& id) const { return *g_.find_node(id); }
  void emit(const char* name, std::string props, const std::string& node_id,
            const std::string& stage_id);
  void seed_context();
  step finish(bool ok, std::string error);
  step begin_attempt();
  step run_stage(const graph_node& n);
  step finish_stage(stage_outcome o);
  step route(const graph_node& n, const stage_outcome& o);
  void save_checkpoint(const std::string& next);
  // executor_parallel.cpp
  step begin_parallel(const graph_node& n);
  step run_branch();
  step complete_branch(stage_outcome o);
  stage_outcome fan_in_outcome() const;

  workflow_graph g_;
  executor_options opts_;
  std::map<std::string, std::string, std::less<>> context_;
  std::string current_id_;
  std::vector<std::string> completed_;
  std::map<std::string, stage_status> latest_;
  std::map<std::string, int64_t> retries_;
  std::map<std::string, int64_t> visits_;
  std::map<std::string, int64_t> signatures_;
  std::vector<std::pair<std::string, stage_status>> last_parallel_;
  std::optional<parallel_state> parallel_;
  retry_policy policy_;
  stage_request stage_;
  std::vector<engine_event> events_;
  std::optional<checkpoint> checkpoint_;
  // The last checkpoint this execution emitted: the next one's event is a
  // delta against it (checkpoint_event_json).
  std::optional<checkpoint> emitted_;
};

}  // namespace fabro::model
