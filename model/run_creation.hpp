// Public: model layer (installed for embedders under include/fabro/).
// What accepting a manifest produces: the run's first record and the two
// events every run log starts with (run.created, run.submitted), as Fabro
// writes them before answering 201 (reference §8.2). Pure.
#pragma once

#include <string>
#include <vector>

#include "model/run_event.hpp"
#include "model/run_manifest.hpp"
#include "model/run_record.hpp"

namespace fabro::model {

struct new_run {
  run_record record;
  std::string manifest_bytes;  // the body exactly as submitted
  std::string definition;      // model::run_definition JSON (what executes)
  std::vector<run_event> events;  // seq 1 run.created, seq 2 run.submitted
  // envelope_json of each event once their ids are stamped (prepare_run
  // renders them on the submitting thread); empty = rendered later.
  std::vector<std::string> envelopes;
};

// Builds the run `id` (canonical ULID) for manifest `m` submitted at `now_ms`.
// `workflow_name` and `graph_goal` come from the parsed workflow; the
// manifest's goal text wins over the graph's. Event ids are left empty for
// the caller to stamp (randomness is not model's business).
new_run make_new_run(const run_manifest& m, std::string manifest_bytes, std::string id,
                     int64_t now_ms, const std::string& workflow_name,
                     const std::string& graph_goal);

}  // namespace fabro::model
