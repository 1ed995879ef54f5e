#include "model/bench/http_response_parser.hpp"

#include <algorithm>
#include <charconv>

namespace fabro::model {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

problem malformed(const std::string& what) {
  return make_problem(errc::invalid_request, "malformed HTTP response: " + what);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// ASCII case folding inline: std::tolower (a locale call per byte) was 2 %
// of the load generator's samples against nginx.
char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fold(x) == fold(y); });
}

// Whether comma-separated header `value` lists `token` (any case).
bool lists(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The next line starting at `from` (without CR LF), and where the one after
// starts; npos when no full line has arrived.
size_t next_line(const std::string& buf, size_t from, std::string_view& line) {
  auto nl = buf.find('\n', from);
  if (nl == std::string::npos) return std::string::npos;
  line = std::string_view(buf).substr(from, nl - from);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return nl + 1;
}

}  // namespace

result<done> http_response_parser::feed(std::string_view bytes) {
  buf_.append(bytes);
  for (;;) {
    auto progressed = step();
    if (!progressed) return progressed.error();
    if (!*progressed) break;
  }
  buf_.erase(0, pos_);
  pos_ = 0;
  return done{};
}

result<done> http_response_parser::finish() {
  if (state_ == state::until_close) {
    complete();
    return done{};
  }
  if (mid_response())
    return make_problem(errc::unavailable, "the connection closed in the middle of a response");
  return done{};
}

http_response http_response_parser::take() {
  http_response r = std::move(complete_.front());
  complete_.pop_front();
  return r;
}

result<bool> http_response_parser::step() {
  size_t avail = buf_.size() - pos_;
  switch (state_) {
    case state::head:
      return parse_head();
    case state::length:
    case state::chunk_data: {
      if (avail == 0) return false;
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
      append_body(std::string_view(buf_).substr(pos_, n));
      pos_ += n;
      remaining_ -= n;
      if (remaining_ > 0) return false;
      if (state_ == state::length) complete();
      else state_ = state::chunk_end;
      return true;
    }
    case state::chunk_end: {
      std::string_view line;
      auto next = next_line(buf_, pos_, line);
      if (next == std::string::npos) return avail < 2 ? result<bool>(false) : malformed("chunk end");
      if (!line.empty()) return malformed("chunk longer than its size");
      pos_ = next;
      state_ = state::chunk_size;
      return true;
    }
    case state::chunk_size:
      return parse_chunk_size();
    case state::trailers:
      return parse_trailers();
    case state::until_close:
      if (avail == 0) return false;
      append_body(std::string_view(buf_).substr(pos_));
      pos_ = buf_.size();
      return false;
  }
  return false;
}

result<bool> http_response_parser::parse_head() {
  if (pos_ == buf_.size()) return false;
  // Find the blank line that ends the head before parsing any of it.
  std::string_view line;
  size_t at = pos_, end = std::string::npos;
  while ((at = next_line(buf_, at, line)) != std::string::npos)
    if (line.empty()) {
      end = at;
      break;
    }
  if (end == std::string::npos) {
    if (buf_.size() - pos_ > kMaxHead) return malformed("head longer than 64 KiB");
    return false;
  }
  current_ = http_response{};
  at = next_line(buf_, pos_, line);
  // "HTTP/1.1 201 Created"
  if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ')
    return malformed("status line");
  bool http10 = line[7] == '0';
  auto code = line.substr(9, 3);
  if (std::from_chars(code.data(), code.data() + 3, current_.status).ptr != code.data() + 3 ||
      current_.status < 100)
    return malformed("status code");
  current_.keep_alive = !http10;
  bool has_length = false;
  uint64_t length = 0;
  while ((at = next_line(buf_, at, line)) != std::string::npos && !line.empty()) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return malformed("header line");
    auto name = line.substr(0, colon);
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      uint64_t n = 0;
      auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || r.ptr != value.data() + value.size() || (has_length && n != length))
        return malformed("Content-Length");
      has_length = true;
      length = n;
    } else if (iequals(name, "transfer-encoding")) {
      current_.chunked = lists(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (lists(value, "close")) current_.keep_alive = false;
      else if (lists(value, "keep-alive")) current_.keep_alive = true;
    }
  }
  pos_ = end;
  int s = current_.status;
  if (s < 200) {  // interim (100 Continue, 103 ...): the real answer follows
    current_ = http_response{};
    return true;
  }
  if (s == 204 || s == 304) {
    complete();
  } else if (current_.chunked) {
    state_ = state::chunk_size;
  } else if (has_length) {
    remaining_ = length;
    state_ = state::length;
    if (length == 0) complete();
  } else {
    current_.keep_alive = false;  // the close ends the body
    state_ = state::until_close;
  }
  return true;
}

result<bool> http_response_parser::parse_chunk_size() {
  std::string_view line;
  auto next = next_line(buf_, pos_, line);
  if (next == std::string::npos) {
    if (buf_.size() - pos_ > 1024) return malformed("chunk size line");
    return false;
  }
  auto hex = trim(line.substr(0, line.find(';')));
  uint64_t size = 0;
  auto r = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
  if (hex.empty() || r.ptr != hex.data() + hex.size()) return malformed("chunk size");
  pos_ = next;
  if (size == 0) {
    state_ = state::trailers;
  } else {
    remaining_ = size;
    state_ = state::chunk_data;
  }
  return true;
}

bool http_response_parser::parse_trailers() {
  std::string_view line;
  size_t next;
  while ((next = next_line(buf_, pos_, line)) != std::string::npos) {
    pos_ = next;
    if (line.empty()) {
      complete();
      return true;
    }
  }
  return false;
}

void http_response_parser::append_body(std::string_view data) {
  size_t room = max_body_ - std::min(max_body_, current_.body.size());
  if (data.size() > room) current_.body_truncated = true;
  current_.body.append(data.substr(0, room));
}

void http_response_parser::complete() {
  complete_.push_back(std::move(current_));
  current_ = http_response{};
  state_ = state::head;
  remaining_ = 0;
}

}  // namespace fabro::model
