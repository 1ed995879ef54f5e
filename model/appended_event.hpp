// An event a trusted worker appends to a run (POST /api/v1/runs/{id}/events,
// Fabro's appendRunEvent): the body is Fabro's RunEvent, checked here
// before the run gives it the next seq. Pure.
//
// Accepted: a JSON object with `id` (non-empty string), `ts` (RFC 3339;
// stored as UTC milliseconds), `run_id` (the path's run), `event` (a
// dotted name: lowercase letters, digits, '_' and '.'), and optionally
// `properties` (an object; absent or null = {}), `actor` ({kind: user |
// agent | system, id?, display?} or null), the strings (or null)
// node_id, node_label, stage_id ("node@visit"), parallel_group_id
// ("node@visit"), parallel_branch_id ("group:index"), session_id,
// parent_session_id, tool_call_id. A `seq` is ignored (the run assigns
// it), as are keys Fabro's RunEvent does not know. The event is stored
// and streamed as given; it does not drive the run's state machine.
#pragma once

#include <string_view>

#include "model/result.hpp"
#include "model/run_event.hpp"

namespace fabro::model {

// The 400 when the body's run_id is another run's (Fabro's text).
inline constexpr const char* kEventRunMismatch = "Event run_id does not match path run ID.";

// The event in `body` for run `run_id`, seq unset. Fails with
// errc::invalid_request: kEventRunMismatch, or "Invalid run event: <why>".
result<run_event> parse_appended_event(std::string_view body, std::string_view run_id);

}  // namespace fabro::model
