// The framing gate's parser on its own: segmentation never changes what
// comes out, limits hold as bytes arrive, framing errors are named.
#include <catch2/catch.hpp>

#include "http/request_framer.hpp"

using namespace fabro::http;

namespace {

struct result {
  std::vector<framed_request> requests;
  int status = 0;
  std::string detail;
};

result frame(const std::string& text, size_t step = 0, framing_limits limits = {}) {
  request_framer f(limits);
  result r;
  for (size_t at = 0; at < text.size();) {
    size_t n = step ? std::min(step, text.size() - at) : text.size() - at;
    if (!f.feed(text.data() + at, n, r.requests)) {
      r.status = f.error_status();
      r.detail = f.error_detail();
      break;
    }
    at += n;
  }
  return r;
}

}  // namespace

TEST_CASE("a chunked request becomes one canonical request whatever the segmentation",
          "[http][framing]") {
  std::string text =
      "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
  const std::string canonical =
      "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
  for (size_t step : {0, 1, 2, 3, 5, 7, 64}) {
    INFO("step " << step);
    auto r = frame(text, step);
    REQUIRE(r.status == 0);
    REQUIRE(r.requests.size() == 1);
    CHECK(r.requests[0].bytes == canonical);
    CHECK(r.requests[0].keep_alive);
  }
}

TEST_CASE("pipelined requests come out in order, with their own keep-alive", "[http][framing]") {
  auto r = frame("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n"
                 "GET /c HTTP/1.0\r\n\r\n");
  REQUIRE(r.requests.size() == 3);
  CHECK(r.requests[0].bytes.rfind("GET /a ", 0) == 0);
  CHECK(r.requests[0].keep_alive);
  CHECK(r.requests[1].bytes.rfind("GET /b ", 0) == 0);
  CHECK_FALSE(r.requests[1].keep_alive);
  CHECK_FALSE(r.requests[2].keep_alive);  // HTTP/1.0 without keep-alive
}

TEST_CASE("limits are enforced as bytes arrive", "[http][framing]") {
  framing_limits small{1024, 100};
  auto header = frame("GET / HTTP/1.1\r\nX: " + std::string(2000, 'x'), 0, small);
  CHECK(header.status == 413);
  CHECK(header.detail == "Request headers exceed the limit of 1024 bytes.");
  // A declared body above the limit is refused before any of it arrives.
  auto declared = frame("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 0, small);
  CHECK(declared.status == 413);
  CHECK(declared.detail == "Request body exceeds the limit of 100 bytes.");
  auto chunked = frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" +
                           std::string(101, 'b'),
                       7, small);
  CHECK(chunked.status == 413);
  // Slow clients are not charged per read: 1-byte writes of a fine request.
  auto slow = frame("GET / HTTP/1.1\r\nX-Long-Name: " + std::string(900, 'v') + "\r\n\r\n", 1,
                    small);
  CHECK(slow.status == 0);
  CHECK(slow.requests.size() == 1);
}

TEST_CASE("bad framing is an error with a plain reason", "[http][framing]") {
  for (const std::string& cl : {"-1", "100000000000000000000", "1e3", "5\r\nContent-Length: 7"}) {
    INFO(cl);
    auto r = frame("POST / HTTP/1.1\r\nContent-Length: " + cl + "\r\n\r\n");
    CHECK(r.status == 400);
    CHECK(r.detail == "Invalid Content-Length header.");
  }
  auto smuggle = frame("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
  CHECK(smuggle.status == 400);
  auto garbage = frame("\x16\x03\x01\x02\x00");
  CHECK(garbage.status == 400);
  CHECK(garbage.detail.rfind("Malformed HTTP request: ", 0) == 0);
}

TEST_CASE("the header limit is on the canonical form, so a canonical request frames again",
          "[http][framing]") {
  framing_limits small{200, 100};
  // Canonical: "GET / HTTP/1.1\r\n" (16) + "X: " ... "\r\n" = 200 bytes exactly,
  // once Expect is dropped; the Content-Length line it gains is not charged.
  std::string value(200 - 16 - 5, 'v');
  auto at_limit = frame("GET / HTTP/1.1\r\nExpect: 100-continue\r\nX: " + value + "\r\n\r\n", 0,
                        small);
  REQUIRE(at_limit.status == 0);
  REQUIRE(at_limit.requests.size() == 1);
  auto again = frame(at_limit.requests[0].bytes, 0, small);
  REQUIRE(again.status == 0);
  REQUIRE(again.requests.size() == 1);
  CHECK(again.requests[0].bytes == at_limit.requests[0].bytes);
  // One byte more is refused, whole or in 1-byte pieces.
  for (size_t step : {size_t{0}, size_t{1}}) {
    auto over = frame("GET / HTTP/1.1\r\nX: " + value + "w\r\n\r\n", step, small);
    CHECK(over.status == 413);
    CHECK(over.detail == "Request headers exceed the limit of 200 bytes.");
  }
}

TEST_CASE("only HTTP/1.0 and HTTP/1.1 are served", "[http][framing]") {
  auto zero_nine = frame("GET /health\r\n\r\n");
  CHECK(zero_nine.status == 505);
  CHECK(zero_nine.detail == "HTTP version 0.9 is not supported: use HTTP/1.0 or HTTP/1.1.");
  auto two = frame("GET /health HTTP/2.0\r\nHost: x\r\n\r\n");
  CHECK(two.status == 505);
  CHECK(two.requests.empty());
  auto one_oh = frame("GET /health HTTP/1.0\r\n\r\n");
  CHECK(one_oh.status == 0);
  REQUIRE(one_oh.requests.size() == 1);
  CHECK_FALSE(one_oh.requests[0].keep_alive);
}

TEST_CASE("header names are tokens and trailers are dropped, so a canonical request frames again",
          "[http][framing]") {
  // Found by fuzz_framing: a trailer " .: x" became a header line that,
  // framed again, folded into the header before it.
  auto trailer = frame(
      "POST /r HTTP/1.1\r\nA: b\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nz\r\n0\r\nX-Trailer: t\r\n\r\n");
  REQUIRE(trailer.status == 0);
  REQUIRE(trailer.requests.size() == 1);
  CHECK(trailer.requests[0].bytes == "POST /r HTTP/1.1\r\nA: b\r\nContent-Length: 1\r\n\r\nz");
  auto spaced = frame("GET / HTTP/1.1\r\nA: b\r\nBad Name: c\r\n\r\n");
  CHECK(spaced.status == 400);
  CHECK(spaced.detail == "Malformed HTTP request: invalid header name.");
}
