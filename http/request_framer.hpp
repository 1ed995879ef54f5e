// The framing gate's parser (issue 11): turns a connection's raw bytes into
// complete, well-formed HTTP/1.x requests, in O(bytes), whatever the TCP
// segmentation, before Pistache's own parser sees anything.
//
// Built on Node's classic http_parser (libhttp-parser 2.9, Debian's
// libhttp-parser-dev). Limits are enforced as bytes arrive: the canonical
// request line + headers (below) at most max_header_bytes, a declared
// Content-Length at most max_body_bytes (checked when the headers end,
// before any body is held), a chunked body at most max_body_bytes
// de-chunked. Content-Length must be one decimal value (two different ones,
// a sign or an overflow are framing errors), and Content-Length together with Transfer-Encoding is refused
// (request smuggling). Only HTTP/1.0 and 1.1 are served: HTTP/0.9 (a request
// line without a version) and 2.0+ request lines get 505. Pipelined
// requests come out one by one, in order.
//
// Header names must be tokens (RFC 9110); a chunked body's trailer fields
// are read and dropped. Each complete request is rewritten canonically: the
// request line, the headers except Transfer-Encoding, Content-Length and
// Expect, then one `Content-Length: N` and the de-chunked body. So the parser behind the gate
// only ever sees a complete request with a known length.
//
// No sockets, no Pistache: pure and thread-compatible (one per connection).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace fabro::http {

struct framing_limits {
  size_t max_header_bytes = 16u << 10;
  size_t max_body_bytes = 2u << 20;
};

struct framed_request {
  std::string bytes;        // the canonical request (see above)
  bool keep_alive = true;   // false: close the connection after answering
};

class request_framer {
 public:
  explicit request_framer(framing_limits limits);
  ~request_framer();
  request_framer(const request_framer&) = delete;
  request_framer& operator=(const request_framer&) = delete;

  // Consumes `len` bytes; every request they complete is appended to `out`.
  // Returns false on a framing error: error_status()/error_detail() say
  // what to answer, and the connection must be closed after that answer.
  // REQUIRES: no earlier call returned false.
  bool feed(const char* data, size_t len, std::vector<framed_request>& out);

  // True (once per request) when the request being read asked for
  // `Expect: 100-continue` and its headers were accepted: answer
  // "HTTP/1.1 100 Continue" so the client sends the body.
  bool take_continue();

  // Whether a request has begun and is not complete (header timeout).
  bool in_request() const;

  int error_status() const;            // 400, 413 or 505
  const std::string& error_detail() const;

  struct state;  // internal

 private:
  std::unique_ptr<state> s_;
};

}  // namespace fabro::http
