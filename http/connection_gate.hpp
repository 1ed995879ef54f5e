// The framing gate's state of one connection (issue 11), kept in the peer's
// data under kGateData by the endpoint's handler (http/server.cpp).
//
// Raw bytes go through request_framer; complete requests wait in `queue`
// and are handed to Pistache one at a time: the next only once the
// response to the previous one has been handed to Pistache (response_sent,
// called by http/reply.cpp), so pipelined requests are all answered, in order. A
// request that asked to close (Connection: close, HTTP/1.0) closes the
// connection once its response is written; a framing error is answered
// (after the requests before it) and closes it too.
//
// Thread-safety: `mutex` (recursive: a handler that answers at once
// re-enters from the same thread) guards everything; the reactor thread
// feeds, any thread may report a written response. A report never
// dispatches by itself (it runs inside Pistache's write path): the next
// pipelined request is handed in by one process-wide pump thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <pistache/peer.h>

#include "http/request_framer.hpp"

namespace fabro::http {

constexpr const char* kGateData = "fabro.gate";

struct connection_gate {
  explicit connection_gate(framing_limits limits) : framer(limits) {}
  std::recursive_mutex mutex;
  request_framer framer;
  std::deque<framed_request> queue;
  bool in_flight = false;        // handed to Pistache, not yet answered
  bool close_after = false;      // the request in flight asked to close
  bool pumping = false;          // pump() is on the stack
  bool failed = false;           // a framing error waits to be answered
  bool closed = false;           // nothing more is read or answered
  bool shut = false;             // shutdown(SHUT_WR) done
  int fd = -1;
  // For the timeouts (http/connection_sweeper.hpp), steady_ms() values:
  int64_t last_activity_ms = 0;  // bytes read or a response handed over
  int64_t request_began_ms = -1;  // the request being read began; -1: none
  // Hands one complete request to Pistache's parser and the router.
  std::function<void(const framed_request&)> dispatch;
};

// The gate of `peer`, or null (a connection the gate does not manage).
std::shared_ptr<connection_gate> gate_of(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

// Takes raw bytes of the connection: frames, answers 100-continue and
// framing errors, hands complete requests on in order.
void gate_input(connection_gate& g, const char* data, size_t len);

// The response to the request in flight has been handed to Pistache (its
// bytes are queued in order): the next pipelined request may go in.
// Called right after ResponseWriter::send returns, never from a callback
// of its promise (whose callbacks can be lost when the write completes on
// the reactor while another thread attaches them).
void response_sent(const std::weak_ptr<Pistache::Tcp::Peer>& peer);

// The response has been written (the promise's callback, when it comes):
// a connection that asked to close is shut down now.
void response_written(const std::weak_ptr<Pistache::Tcp::Peer>& peer);

}  // namespace fabro::http
