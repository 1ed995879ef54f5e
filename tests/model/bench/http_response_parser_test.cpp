#include "model/bench/http_response_parser.hpp"

#include <catch2/catch.hpp>

#include <string>

using fabro::model::http_response_parser;

namespace {

// Feeds `text` one byte at a time (every cut point).
bool feed_bytewise(http_response_parser& p, const std::string& text) {
  for (char c : text)
    if (!p.feed(std::string_view(&c, 1))) return false;
  return true;
}

}  // namespace

TEST_CASE("a Content-Length response is complete when its body has arrived", "[model]") {
  http_response_parser p;
  REQUIRE(p.feed("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Le"));
  CHECK_FALSE(p.ready());
  REQUIRE(p.feed("ngth: 10\r\n\r\n{\"id\":"));
  CHECK_FALSE(p.ready());
  CHECK(p.mid_response());
  REQUIRE(p.feed("\"x\"}"));
  REQUIRE(p.ready());
  auto r = p.take();
  CHECK(r.status == 201);
  CHECK(r.body == "{\"id\":\"x\"}");
  CHECK(r.keep_alive);
  CHECK_FALSE(p.mid_response());
}

TEST_CASE("a chunked body is decoded, extensions and trailers skipped", "[model]") {
  std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n";
  http_response_parser whole, bytewise;
  REQUIRE(whole.feed(text));
  REQUIRE(feed_bytewise(bytewise, text));
  for (auto* p : {&whole, &bytewise}) {
    REQUIRE(p->ready());
    auto r = p->take();
    CHECK(r.status == 200);
    CHECK(r.chunked);
    CHECK(r.body == "hello world");
    CHECK_FALSE(p->ready());
  }
}

TEST_CASE("back-to-back responses come out in order", "[model]") {
  http_response_parser p;
  REQUIRE(p.feed("HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\na"
                 "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\n\r\nbc"));
  REQUIRE(p.ready());
  CHECK(p.take().status == 201);
  REQUIRE(p.ready());
  auto r = p.take();
  CHECK(r.status == 429);
  CHECK(r.body == "bc");
}

TEST_CASE("Connection: close and HTTP/1.0 end keep-alive", "[model]") {
  http_response_parser p;
  REQUIRE(p.feed("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                 "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
                 "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"));
  CHECK_FALSE(p.take().keep_alive);
  CHECK_FALSE(p.take().keep_alive);
  CHECK(p.take().keep_alive);
}

TEST_CASE("a body without length ends with the connection", "[model]") {
  http_response_parser p;
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\n"));
  CHECK(p.in_body());
  CHECK(p.status() == 200);
  CHECK(p.take_body() == "data: 1\n\n");  // streaming: drained as it arrives
  REQUIRE(p.feed("data: 2\n\n"));
  CHECK_FALSE(p.ready());
  REQUIRE(p.finish());
  REQUIRE(p.ready());
  auto r = p.take();
  CHECK(r.body == "data: 2\n\n");
  CHECK_FALSE(r.keep_alive);
}

TEST_CASE("204, 304 and interim 1xx responses carry no body", "[model]") {
  http_response_parser p;
  REQUIRE(p.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                 "HTTP/1.1 304 Not Modified\r\n\r\n"));
  CHECK(p.take().status == 204);
  CHECK(p.take().status == 304);
  CHECK_FALSE(p.ready());
}

TEST_CASE("a long body is kept up to max_body and counted as truncated", "[model]") {
  http_response_parser p(4);
  REQUIRE(p.feed("HTTP/1.1 400 Bad Request\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto r = p.take();
  CHECK(r.body == "0123");
  CHECK(r.body_truncated);
}

TEST_CASE("malformed responses fail instead of waiting", "[model]") {
  CHECK_FALSE(http_response_parser().feed("SSH-2.0-OpenSSH\r\n\r\n"));
  CHECK_FALSE(http_response_parser().feed("HTTP/1.1 abc OK\r\n\r\n"));
  CHECK_FALSE(http_response_parser().feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
  CHECK_FALSE(http_response_parser().feed("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"));
  CHECK_FALSE(http_response_parser().feed(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  CHECK_FALSE(http_response_parser().feed(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"));
  CHECK_FALSE(http_response_parser().feed(
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
}

TEST_CASE("a connection closed mid-response is an error, between responses it is not",
          "[model]") {
  http_response_parser p;
  CHECK(p.finish());
  REQUIRE(p.feed("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nab"));
  auto r = p.finish();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == fabro::model::errc::unavailable);
}
