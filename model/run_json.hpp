// JSON bodies about runs, exactly as the API serves them.
//
// - RunStatusResponse (create/start/control): id, status, created_at, and
//   error / queue_position / status_reason / pending_control only when set.
// - Run summary (GET /runs/{id}, GET /runs items): a superset of
//   RunStatusResponse that also has every StoreRunSummary key (run_id,
//   workflow_name, goal, labels, host_repo_path, start_time, status_reason,
//   pending_control, duration_ms, ...), null when unknown (DESIGN §4.1).
// Pure functions of the record.
#pragma once

#include <string>
#include <vector>

#include "model/json_writer.hpp"
#include "model/run_record.hpp"

namespace fabro::model {

std::string status_response_json(const run_record& r);
std::string summary_json(const run_record& r);
void write_summary(json_writer& w, const run_record& r);

// {"data":[<items as given>],"meta":{"has_more":b}}; items are JSON texts.
std::string page_json(const std::vector<std::string>& items, bool has_more);

}  // namespace fabro::model
