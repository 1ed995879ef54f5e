// What a restart does to a run the store holds (DESIGN §5, §4.3): runs that
// were waiting (submitted, queued) carry on; runs that were executing
// (starting, running, paused) end failed/terminated, or cancelled when a
// cancel was pending, with an error that names the restart. Pure.
#pragma once

#include <optional>
#include <string>

#include "model/run_event.hpp"
#include "model/run_record.hpp"

namespace fabro::model {

struct recovery_step {
  run_record record;  // the record after recovery
  std::optional<run_event> event;  // run.failed to append, when it ended
};

// REQUIRES: `r` is not terminal; `now_ms` is the restart time.
recovery_step recover_after_restart(const run_record& r, int64_t now_ms);

// The same for a run whose executing node (`node`, another server on a
// shared store: actors/cluster.hpp) went away; the error names the node.
recovery_step recover_after_node_loss(const run_record& r, int64_t now_ms,
                                      const std::string& node);

}  // namespace fabro::model
