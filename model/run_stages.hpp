// Fabro's RunStage list (GET /api/v1/runs/{id}/stages: PaginatedRunStageList)
// folded from a run's event log: one entry per stage execution
// ("node@visit", first started first) with its node's label, status and
// duration, and the run's billing from the same log. Pure: the caller reads
// the log.
//
// Status: running from stage.started (and while it retries), completed at
// stage.completed, failed at a final stage.failed; a stage still running
// when the run ends is cancelled (run.failed with reason cancelled) or
// failed. duration_secs: stage.completed's duration_ms, else from the first
// stage.started's ts to the event that ended it; absent while running.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/result.hpp"

namespace fabro::model {

// The 404 of a stage execution that never started.
inline constexpr const char* kStageNotFound = "Stage not found.";

class run_stages {
 public:
  run_stages();
  ~run_stages();
  run_stages(const run_stages&) = delete;
  run_stages& operator=(const run_stages&) = delete;

  // Folds one stored envelope (seq order). Fails with errc::store_damaged
  // when it is not a JSON object with a string `event`; nothing changes.
  result<done> apply(std::string_view envelope);

  // Whether stage execution `stage_id` ("node@visit") has started.
  bool has(const std::string& stage_id) const;

  // PaginatedRunStageList: skip `offset`, at most `limit`.
  std::string json(uint64_t offset, uint64_t limit) const;

  // Fabro's RunBilling (GET /api/v1/runs/{id}/billing): the stages whose
  // stage.completed billed model usage (stage, model, BilledTokenCounts,
  // runtime), their totals (runtime: the run's `run_duration_ms`) and the
  // same grouped by model. No prices: total_usd_micros is null.
  std::string billing_json(int64_t run_duration_ms) const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace fabro::model
