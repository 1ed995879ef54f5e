// Outbound HTTP on libcurl's multi interface (issue 17): one I/O thread
// carries every request in flight, so a thousand stages waiting on a model
// provider cost no threads. TLS peers are verified (libcurl's default, left
// on). Bodies are handed over as they arrive (a streamed answer is read as
// it is written).
//
// Callbacks run on the I/O thread and must not block: post to an actor.
// Thread-safe: fetch and cancel may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "model/llm/llm_wire.hpp"

namespace fabro::actors {

class outbound_http {
 public:
  struct limits {
    int64_t connect_timeout_ms = 10000;
    int64_t timeout_ms = 0;  // the whole exchange; 0 = none
  };
  // The answer's end: HTTP `status` (0 when none came), its Retry-After
  // header, its body when the status is not 200 (at most 64 KiB; a 200's
  // body went to on_data), and why no answer came ("" = one did).
  struct ending {
    long status = 0;
    std::string retry_after;
    std::string error_body;
    std::string transport_error;
  };
  struct callbacks {
    std::function<void(std::string_view)> on_data;  // a 200's body, piece by piece
    std::function<void(ending)> on_done;            // exactly once, unless cancelled
  };

  // Starts the I/O thread.
  static std::shared_ptr<outbound_http> start();
  ~outbound_http();  // stops it; requests in flight are dropped without callbacks

  // Sends `request` (a POST); returns its id.
  uint64_t fetch(model::llm::http_request request, limits l, callbacks cb);
  // Aborts request `id` at once: no callback of it runs after the I/O
  // thread has taken the cancel (one already running may finish).
  void cancel(uint64_t id);

  outbound_http(const outbound_http&) = delete;
  outbound_http& operator=(const outbound_http&) = delete;

  struct impl;

 private:
  outbound_http();
  std::unique_ptr<impl> impl_;
};

}  // namespace fabro::actors
