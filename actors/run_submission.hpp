// Public: actors layer (installed for embedders under include/fabro/).
// Turns a POST /api/v1/runs body into a run ready to commit: parse the
// manifest, check its workflow, choose the id, build the first record and
// events. CPU only (no disk, no actor): HTTP threads and embedders call it
// before sending create to the orchestrator. Thread-safe.
#pragma once

#include <string>

#include "model/result.hpp"
#include "model/run_creation.hpp"

namespace fabro::actors {

// Fails with errc::invalid_request (manifest problems, in Fabro's words) or
// errc::validation_failed (the workflow does not parse or validate; the
// problem carries diagnostics).
model::result<model::new_run> prepare_run(std::string body);

}  // namespace fabro::actors
