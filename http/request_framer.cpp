#include "http/request_framer.hpp"

#include <http_parser.h>

#include <strings.h>

#include <cstring>

namespace fabro::http {

struct request_framer::state {
  framing_limits limits;
  http_parser parser{};
  http_parser_settings settings{};
  // The request being read.
  bool begun = false;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool in_value = false;  // the last header callback was a value
  bool headers_done = false;  // what follows are a chunked body's trailers
  std::string body;
  size_t header_bytes = 0;
  bool expect_continue = false;
  bool continue_due = false;
  std::vector<framed_request>* out = nullptr;
  // A framing error.
  int status = 0;
  std::string detail;

  int fail(int code, std::string why) {
    status = code;
    detail = std::move(why);
    return 1;  // stops http_parser
  }
  int headers_too_large() {
    return fail(413, "Request headers exceed the limit of " +
                         std::to_string(limits.max_header_bytes) + " bytes.");
  }
  // While bytes arrive: what is held so far, with room for the one
  // Content-Length line a canonical request adds (so a canonical request
  // within the limit always frames again). The exact check is on the
  // canonical form, when the headers end.
  int count_header(size_t len) {
    header_bytes += len;
    if (header_bytes > limits.max_header_bytes + kContentLengthLine) return headers_too_large();
    return 0;
  }
  static constexpr size_t kContentLengthLine = 64;
};

namespace {

using state = request_framer::state;

state& of(http_parser* p) { return *static_cast<state*>(p->data); }

bool named(const std::string& name, const char* what) {
  return strcasecmp(name.c_str(), what) == 0;
}

bool starts(const std::string& name, const char* prefix) {
  return strncasecmp(name.c_str(), prefix, std::strlen(prefix)) == 0;
}

// The headers the canonical rewrite drops. By prefix: http_parser 2.9
// takes "Transfer-Encodingx" for the real one, and would refuse it next to
// our Content-Length.
bool dropped(const std::string& name) {
  return starts(name, "transfer-encoding") || starts(name, "content-length") ||
         named(name, "expect");
}

// RFC 9110's token, what a field name is (http_parser 2.9, lenient, also
// lets a space through, which the canonical form would then turn into a
// folded line of the header before).
bool is_token(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && (c == 0 || std::strchr("!#$%&'*+-.^_`|~", c) == nullptr)) return false;
  }
  return true;
}

// The canonical request line and kept headers, without the Content-Length
// line and the blank line: what max_header_bytes limits.
size_t canonical_header_bytes(const http_parser* p, const state& s) {
  size_t n = std::strlen(http_method_str(static_cast<http_method>(p->method))) + 1 + s.url.size() +
             std::strlen(" HTTP/1.1\r\n");
  for (const auto& [name, value] : s.headers)
    if (!dropped(name)) n += name.size() + 2 + value.size() + 2;
  return n;
}

int on_message_begin(http_parser* p) {
  auto& s = of(p);
  s.begun = true;
  s.url.clear();
  s.headers.clear();
  s.in_value = false;
  s.headers_done = false;
  s.body.clear();
  s.header_bytes = 0;
  s.expect_continue = false;
  return 0;
}

int on_url(http_parser* p, const char* at, size_t len) {
  auto& s = of(p);
  s.url.append(at, len);
  return s.count_header(len);
}

int on_header_field(http_parser* p, const char* at, size_t len) {
  auto& s = of(p);
  if (s.headers_done) return s.count_header(len);  // a trailer: dropped
  size_t framing = 0;
  if (s.in_value || s.headers.empty()) {
    s.headers.emplace_back();
    framing = 4;  // ": " and CRLF
  }
  s.in_value = false;
  s.headers.back().first.append(at, len);
  return s.count_header(len + framing);
}

int on_header_value(http_parser* p, const char* at, size_t len) {
  auto& s = of(p);
  if (s.headers_done) return s.count_header(len);  // a trailer: dropped
  if (s.headers.empty()) s.headers.emplace_back();
  s.in_value = true;
  s.headers.back().second.append(at, len);
  return s.count_header(len);
}

int on_headers_complete(http_parser* p) {
  auto& s = of(p);
  // (Here 1 and 2 mean "skip the body" to http_parser; any other non-zero
  // value is an error.)
  if (p->http_major != 1) {
    // HTTP/0.9 (a request line without a version) and anything past 1.x.
    s.fail(505, "HTTP version " + std::to_string(p->http_major) + "." +
                    std::to_string(p->http_minor) + " is not supported: use HTTP/1.0 or HTTP/1.1.");
    return -1;
  }
  s.headers_done = true;
  for (const auto& header : s.headers)
    if (!is_token(header.first)) {
      s.fail(400, "Malformed HTTP request: invalid header name.");
      return -1;
    }
  if (canonical_header_bytes(p, s) > s.limits.max_header_bytes) {
    s.headers_too_large();
    return -1;
  }
  if ((p->flags & F_CONTENTLENGTH) && p->content_length > s.limits.max_body_bytes) {
    s.fail(413, "Request body exceeds the limit of " + std::to_string(s.limits.max_body_bytes) +
                    " bytes.");
    return -1;
  }
  for (const auto& [name, value] : s.headers)
    if (named(name, "expect") && strcasecmp(value.c_str(), "100-continue") == 0)
      s.expect_continue = true;
  bool body_follows = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
  s.continue_due = s.expect_continue && body_follows;
  return 0;
}

int on_body(http_parser* p, const char* at, size_t len) {
  auto& s = of(p);
  if (s.body.size() + len > s.limits.max_body_bytes)
    return s.fail(413, "Request body exceeds the limit of " +
                           std::to_string(s.limits.max_body_bytes) + " bytes.");
  s.body.append(at, len);
  return 0;
}

int on_message_complete(http_parser* p) {
  auto& s = of(p);
  framed_request r;
  r.keep_alive = http_should_keep_alive(p) != 0;
  auto& b = r.bytes;
  b.reserve(s.header_bytes + s.body.size() + 64);
  b += http_method_str(static_cast<http_method>(p->method));
  b += ' ';
  b += s.url;
  b += " HTTP/";
  b += std::to_string(p->http_major);
  b += '.';
  b += std::to_string(p->http_minor);
  b += "\r\n";
  for (const auto& [name, value] : s.headers) {
    if (dropped(name)) continue;
    b += name;
    b += ": ";
    b += value;
    b += "\r\n";
  }
  b += "Content-Length: ";
  b += std::to_string(s.body.size());
  b += "\r\n\r\n";
  b += s.body;
  s.out->push_back(std::move(r));
  s.begun = false;
  s.continue_due = false;
  s.body.clear();
  s.body.shrink_to_fit();
  return 0;
}

}  // namespace

request_framer::request_framer(framing_limits limits) : s_(new state) {
  s_->limits = limits;
  // http_parser's own cap (80 KiB by default) must not come before ours.
  if (limits.max_header_bytes + 1024 > HTTP_MAX_HEADER_SIZE)
    http_parser_set_max_header_size(static_cast<uint32_t>(limits.max_header_bytes + 1024));
  http_parser_init(&s_->parser, HTTP_REQUEST);
  s_->parser.data = s_.get();
  http_parser_settings_init(&s_->settings);
  s_->settings.on_message_begin = on_message_begin;
  s_->settings.on_url = on_url;
  s_->settings.on_header_field = on_header_field;
  s_->settings.on_header_value = on_header_value;
  s_->settings.on_headers_complete = on_headers_complete;
  s_->settings.on_body = on_body;
  s_->settings.on_message_complete = on_message_complete;
}

request_framer::~request_framer() = default;

bool request_framer::feed(const char* data, size_t len, std::vector<framed_request>& out) {
  auto& s = *s_;
  if (s.status) return false;
  s.out = &out;
  size_t used = http_parser_execute(&s.parser, &s.settings, data, len);
  s.out = nullptr;
  if (s.status) return false;
  auto err = HTTP_PARSER_ERRNO(&s.parser);
  if (err != HPE_OK) {
    if (err == HPE_HEADER_OVERFLOW)
      s.fail(413, "Request headers exceed the limit of " +
                      std::to_string(s.limits.max_header_bytes) + " bytes.");
    else if (err == HPE_INVALID_CONTENT_LENGTH || err == HPE_UNEXPECTED_CONTENT_LENGTH)
      s.fail(400, "Invalid Content-Length header.");
    else
      s.fail(400, std::string("Malformed HTTP request: ") +
                      http_errno_description(err) + ".");
    return false;
  }
  if (s.parser.upgrade || used != len) {
    s.fail(400, "Protocol upgrades are not supported.");
    return false;
  }
  return true;
}

bool request_framer::take_continue() {
  bool due = s_->continue_due;
  s_->continue_due = false;
  return due;
}

bool request_framer::in_request() const { return s_->begun; }

int request_framer::error_status() const { return s_->status; }

const std::string& request_framer::error_detail() const { return s_->detail; }

}  // namespace fabro::http
