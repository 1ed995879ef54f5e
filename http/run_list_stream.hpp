// GET /api/v1/runs without paging parameters: every run, newest first, as
// one JSON array of run summaries (issue 14: the seed-era listRuns answer)
// streamed with chunked transfer encoding, so a store of a million runs
// answers in flat memory.
//
// The handler takes the connection over (reply::take_connection, like the
// SSE streams; the connection closes after the list) and a small actor of
// this file writes the array: it asks the orchestrator for a page of runs
// older than the last one written (keyset paging, queued runs with their
// positions), writes it as one chunk, and asks for the next page only when
// the client has taken all but kHighWaterBytes of what was written. A
// client that takes nothing for kStallLimit loses the connection; a store
// failure mid-list ends the connection without the last chunk, so the
// client sees a truncated body, never a short list that looks whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "http/route.hpp"

namespace fabro::http {

struct run_list_stream_config {
  uint64_t page_runs = 256;               // runs read and written per chunk
  size_t high_water_bytes = 256u << 10;   // unsent bytes before the next page waits
  std::chrono::milliseconds poll{10};     // how often a full socket is retried
  std::chrono::seconds stall_limit{30};   // no byte taken for this long: close
};

// Answers `rep` with the streamed list (200, application/json, chunked).
// Returns at once; the stream goes on in its own actor.
void stream_run_list(const route_context& ctx, reply& rep,
                     const run_list_stream_config& cfg = {});

}  // namespace fabro::http
