// A JSON body too large to hold, streamed with chunked transfer encoding in
// flat memory: an opening text, then the items of pages fetched one at a
// time (keyset paging: each page starts after the last item of the one
// before), comma-separated, then a closing text rendered once the last page
// is written. Used by GET /api/v1/runs without paging parameters (issue 14:
// the seed-era listRuns, a plain array of run summaries, newest first) and
// GET /api/v1/system/df?verbose=true (a row per run).
//
// The handler takes the connection over (reply::take_connection, like the
// SSE streams; the connection closes after the body) and a small actor of
// this file writes it: it fetches a page, writes it as one chunk, and
// fetches the next only when the client has taken all but
// high_water_bytes of what was written. A client that takes nothing for
// stall_limit loses the connection; a failed fetch ends the connection
// without the last chunk, so the client sees a truncated body, never a
// short one that looks whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "http/route.hpp"

namespace fabro::http {

struct array_stream_config {
  uint64_t page_items = 256;              // items fetched and written per chunk
  size_t high_water_bytes = 256u << 10;   // unsent bytes before the next page waits
  std::chrono::milliseconds poll{10};     // how often a full socket is retried
  std::chrono::seconds stall_limit{30};   // no byte taken for this long: close
};

// One page: its items rendered, the keyset of its last item, and whether
// another page follows.
struct array_page {
  std::vector<std::string> items;
  int64_t last_ms = 0;
  std::string last_id;
  bool has_more = false;
};

// Fetches at most `limit` items after (before_ms, before_id) (INT64_MAX
// and "" for the first page) as `self`, then calls `done` exactly once.
using page_fetcher =
    std::function<void(caf::event_based_actor* self, int64_t before_ms,
                       const std::string& before_id, uint64_t limit,
                       std::function<void(caf::expected<array_page>)> done)>;

struct array_body {
  std::string open = "[";
  page_fetcher fetch;
  // Rendered after the last page (it may sum what the fetches saw).
  std::function<std::string()> close = [] { return std::string("]"); };
};

// Answers `rep` with `body` (200, application/json, chunked). Returns at
// once; the stream goes on in its own actor.
void stream_array(const route_context& ctx, reply& rep, array_body body,
                  const array_stream_config& cfg = {});

// GET /api/v1/runs without paging parameters: every run's summary, newest
// first (queued runs with their positions), as one array.
void stream_run_list(const route_context& ctx, reply& rep, const array_stream_config& cfg = {});

}  // namespace fabro::http
