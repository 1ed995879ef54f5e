// Public: model layer (installed for embedders under include/fabro/).
// One entry of a run's durable event log, in Fabro's flat envelope
// (reference/fabro-runs-api.md §9.1): seq, id, ts, run_id, event,
// properties, and optional node/stage/actor keys. Plain value.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace fabro::model {

struct run_event {
  std::string run_id;
  uint64_t seq = 0;                  // per run, contiguous from 1
  std::string id;                    // UUIDv7
  int64_t ts_ms = 0;                 // when it happened
  std::string event;                 // dotted name, e.g. "run.created"
  std::string properties_json = "{}";  // a JSON object
  std::string node_id;               // optional keys: empty = absent
  std::string node_label;
  std::string stage_id;
  std::string actor_json;            // a JSON object, empty = absent
  // Fabro's other optional keys, which only appended events carry
  // (POST /api/v1/runs/{id}/events); empty = absent.
  std::string parallel_group_id;
  std::string parallel_branch_id;
  std::string session_id;
  std::string parent_session_id;
  std::string tool_call_id;
};

// A UUIDv7 text from a millisecond time and 10 random bytes.
std::string make_uuid_v7(uint64_t unix_ms, const std::array<uint8_t, 10>& random);

// The envelope JSON of `e` as stored and served.
std::string envelope_json(const run_event& e);

}  // namespace fabro::model
