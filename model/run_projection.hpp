// Fabro's RunProjection (GET /api/v1/runs/{id}/state): a run's event log
// folded into its read model, as Fabro's store does (fabro-events.md §4.1),
// for the events this server writes and for those a worker appends with
// POST /api/v1/runs/{id}/events. Pure: the caller reads the log.
//
// What each field comes from:
//   run            run.created (+ definition_blob of run.submitted), with
//                  the run's merged settings and workflow name
//   graph_source   the workflow text the run executes
//   start          run.started (start_time = its ts)
//   status         run.submitted/starting/running/paused/unpaused/removing/
//                  completed (succeeded)/failed; updated_at = the event's ts.
//                  run.queued is this server's and leaves it submitted.
//   pending_control  run.*.requested; cleared by paused, unpaused,
//                  completed, failed
//   checkpoint, checkpoints  every checkpoint.completed ([seq, checkpoint],
//                  timestamped with the event's ts); checkpoint the latest
//   conclusion     run.completed / run.failed
//   sandbox        sandbox.initialized (provider from sandbox.initializing)
//   final_patch    run.completed.final_patch
//   pull_request   pull_request.created
//   retro, retro_prompt, retro_response  retro.started / retro.completed
//   pending_interviews  interview.started, removed by interview.completed /
//                  timeout / interrupted and by the run's end
//   nodes          per "node@visit" (the envelope's stage_id, else the
//                  node's latest visit): prompt and provider_used
//                  (stage.prompt), response (prompt.completed,
//                  stage.completed), status (stage.completed, final
//                  stage.failed), script_invocation (command.started),
//                  stdout/stderr/script_timing (command.completed), diff
//                  (checkpoint.completed), parallel_results
//                  (parallel.completed)
// Stage statuses are written as Fabro's (success, fail, partial_success,
// skipped, retry); this server's succeeded/failed/partially_succeeded map
// to them. Unknown events are skipped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"
#include "model/run_definition.hpp"

namespace fabro::model {

class run_projection {
 public:
  explicit run_projection(std::string run_id);
  ~run_projection();
  run_projection(const run_projection&) = delete;
  run_projection& operator=(const run_projection&) = delete;

  // Folds one stored envelope (seq order). Fails with errc::store_damaged
  // when it is not a JSON object with a string `event`; nothing changes.
  result<done> apply(std::string_view envelope);

  // The RunProjection JSON so far. `definition` (may be null) supplies
  // run.settings, run.graph.name and graph_source.
  std::string json(const run_definition* definition) const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace fabro::model
