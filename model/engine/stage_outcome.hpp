// Public: model layer (installed for embedders under include/fabro/).
// The result of executing one stage (reference §3.2): what routing, retries,
// goal gates and checkpoints read. Plain values; producers are the handlers
// (model/engine/handlers.hpp and the run actor's command/human paths).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/workflow/edge_selection.hpp"

namespace fabro::model {

// The four outcomes routing can see.
enum class stage_status { succeeded, failed, partially_succeeded, skipped };

// "succeeded", "failed", "partially_succeeded", "skipped".
const char* to_string(stage_status s);

// How a failed attempt may be retried (§3.3).
enum class retry_kind {
  none,       // use the outcome as-is (a plain failure: never retried)
  requested,  // the handler asked for a retry (allow_partial applies)
  error,      // a retryable handler error: timeout, spawn failure
};

struct stage_outcome {
  stage_status status = stage_status::succeeded;
  retry_kind retry = retry_kind::none;  // meaningful only when failed
  std::string preferred_label;          // "" = none
  std::vector<std::string> suggested_next_ids;
  std::map<std::string, std::string> context_updates;
  std::string jump_to_node;             // "" = none (parallel only)
  std::string notes;                    // e.g. "[Simulated] start"
  std::string failure_message;          // "" unless failed
  std::string failure_class;            // classify_failure(failure_message)
  std::string billing_json;             // BilledModelUsage of the stage's model calls; "" = none

  bool failed() const { return status == stage_status::failed; }
  // The view select_edge() needs.
  routing_outcome routing() const;
};

// A succeeded outcome with `notes`.
stage_outcome succeeded_outcome(std::string notes = "");
// A failed outcome with its message classified (failure.hpp).
stage_outcome failed_outcome(std::string message, retry_kind retry = retry_kind::none);

}  // namespace fabro::model
