// An incremental HTTP/1.1 response parser for the load generator
// (`fabro-orchestrator bench`): bytes in, complete responses out.
//
// Handles Content-Length bodies, chunked bodies (extensions and trailers
// skipped), bodies delimited by the end of the connection, bodies that
// must be empty (1xx, 204, 304), and interim 1xx responses (dropped). Keeps
// at most `max_body` bytes of each body (the rest is consumed and counted
// as truncated), so a huge answer costs no memory. Also serves a stream
// (an SSE body): take_body() drains what has arrived of the current body.
// Pipelining is not needed, but responses that arrive back to back queue
// up in order.
//
// Not thread-safe; one parser per connection, owned by its load thread.
#pragma once

#include "model/result.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace fabro::model {

struct http_response {
  int status = 0;              // e.g. 201
  bool keep_alive = true;      // false: the server closes the connection after it
  bool chunked = false;        // the body came as Transfer-Encoding: chunked
  std::string body;            // the first max_body bytes of the body
  bool body_truncated = false; // the body was longer than max_body
};

class http_response_parser {
 public:
  explicit http_response_parser(size_t max_body = 64 * 1024) : max_body_(max_body) {}

  // Consumes all of `bytes`. Fails with errc::invalid_request naming what
  // is malformed (status line, header, length, chunk size, a head over
  // 64 KiB); the connection cannot be used afterwards.
  result<done> feed(std::string_view bytes);

  // The peer closed the connection: completes a body delimited by the
  // close. Fails with errc::unavailable when a response was cut short.
  result<done> finish();

  // Whether a complete response waits to be taken.
  bool ready() const { return !complete_.empty(); }
  // The oldest complete response. REQUIRES: ready().
  http_response take();

  // Whether bytes of a response not yet complete have arrived.
  bool mid_response() const { return state_ != state::head || !buf_.empty(); }
  // Whether the head of the current, incomplete response has been parsed
  // (streaming), and that response's status (0 before).
  bool in_body() const { return state_ != state::head; }
  int status() const { return current_.status; }
  // Removes and returns the body bytes of the current response received so
  // far (streaming; with max_body large enough to hold one feed).
  std::string take_body() { return std::move(current_.body); }

 private:
  enum class state { head, length, chunk_size, chunk_data, chunk_end, trailers, until_close };
  // Each step consumes from buf_ at pos_; false when it needs more bytes.
  result<bool> step();
  result<bool> parse_head();
  result<bool> parse_chunk_size();
  bool parse_trailers();
  void append_body(std::string_view data);
  void complete();

  size_t max_body_;
  state state_ = state::head;
  std::string buf_;     // bytes not yet consumed, from pos_
  size_t pos_ = 0;
  uint64_t remaining_ = 0;  // body or chunk bytes still to come
  http_response current_;
  std::deque<http_response> complete_;
};

}  // namespace fabro::model
