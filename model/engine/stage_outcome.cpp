#include "model/engine/stage_outcome.hpp"

#include "model/engine/failure.hpp"

namespace fabro::model {

const char* to_string(stage_status s) {
  switch (s) {
    case stage_status::succeeded: return "succeeded";
    case stage_status::failed: return "failed";
    case stage_status::partially_succeeded: return "partially_succeeded";
    case stage_status::skipped: return "skipped";
  }
  return "failed";
}

routing_outcome stage_outcome::routing() const {
  return routing_outcome{to_string(status), preferred_label, suggested_next_ids};
}

stage_outcome succeeded_outcome(std::string notes) {
  stage_outcome o;
  o.notes = std::move(notes);
  return o;
}

stage_outcome failed_outcome(std::string message, retry_kind retry) {
  stage_outcome o;
  o.status = stage_status::failed;
  o.retry = retry;
  o.failure_class = classify_failure(message);
  o.failure_message = std::move(message);
  return o;
}

}  // namespace fabro::model
