// Queueing a run (POST /runs/{id}/start, reference §4.5; DESIGN §4.2): who
// may be queued, with Fabro's 409 texts, and the record and event that
// queue it. Pure; the orchestrator commits the result and the queue manager
// owns the order (the sequence number comes from it).
#pragma once

#include <cstdint>

#include "model/result.hpp"
#include "model/run_event.hpp"
#include "model/run_record.hpp"

namespace fabro::model {

// The refusal of a start (resume=false) or resume (true) of a run whose
// engine is live or waiting: "an engine process is still running for this
// run — cannot start" / "… cannot resume". Used for queued, starting,
// running and paused runs.
problem engine_running(bool resume);

// "cannot start run: status is Completed, expected submitted": a start
// (resume=false) of a finished run.
problem not_startable(run_status status);

// "no checkpoint to resume from".
problem no_checkpoint();

// Whether run `r` may be queued now. A start needs status submitted; a
// resume (which the caller allows only with a checkpoint) also takes a
// finished run. Fails with errc::conflict: engine_running(resume) for
// queued/starting/running/paused, not_startable(status) for a finished run
// without resume.
result<done> check_queueable(const run_record& r, bool resume);

struct queued_run {
  run_record record;  // status queued with queue_seq; a resumed run's error cleared
  run_event event;    // run.queued (properties {"resume":true} on resume), seq last_seq
                      // + 1; id and ts are left to the caller (stamp_events)
};

// REQUIRES: check_queueable(r, resume) succeeded.
queued_run queue_run(run_record r, uint64_t queue_seq, bool resume);

}  // namespace fabro::model
