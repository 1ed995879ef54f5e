// Public: model layer (installed for embedders under include/fabro/).
// The current state of one run: what GET /runs/{id} shows and what the store
// keeps per run (the manifest bytes and the events are kept beside it).
// Plain value; the run actor owns the live copy of a non-terminal run.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "model/run_status.hpp"

namespace fabro::model {

struct run_record {
  std::string id;                   // canonical ULID
  run_status status = run_status::submitted;
  status_reason reason = status_reason::none;
  control_action pending_control = control_action::none;
  std::string error_message;        // empty = no error
  int64_t created_at_ms = 0;        // the ULID's timestamp
  std::string workflow_name;        // DOT graph name; "unnamed" if empty
  std::string goal;                 // empty = none
  std::map<std::string, std::string> labels;
  std::string host_repo_path;       // the run's working directory
  int64_t start_time_ms = -1;       // -1 = not started
  int64_t duration_ms = -1;         // -1 = not finished
  uint64_t last_seq = 0;            // seq of the newest event in the run's log
  uint64_t queue_position = 0;      // 1-based while queued; 0 otherwise (not stored)
  uint64_t queue_seq = 0;           // start order among all queued runs; 0 = never queued
};

}  // namespace fabro::model
