#include "app/client_http.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <simdjson.h>

#include "model/bench/http_response_parser.hpp"

namespace fabro::app {
namespace {

using model::errc;
using model::make_problem;

model::problem unreachable(const client_options& opts, const std::string& why) {
  return make_problem(errc::unavailable, "cannot reach the server at " + opts.server + ": " + why);
}

model::result<int> connect_to(const client_options& opts) {
  auto u = parse_server_url(opts.server);
  if (!u) return u.error();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(u->host.c_str(), u->port.c_str(), &hints, &res); rc != 0)
    return unreachable(opts, gai_strerror(rc));
  int fd = -1;
  for (auto* ai = res; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return unreachable(opts, std::strerror(errno));
  return fd;
}

bool send_all(int fd, const std::string& data) {
  for (size_t off = 0; off < data.size();) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string request_text(const client_options& opts, const std::string& method,
                         const std::string& path, const std::string& body) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: fabro\r\nConnection: close\r\n" +
                    "User-Agent: fabro-orchestrator-cli/0.1.0\r\n";
  if (!opts.token.empty()) req += "Authorization: Bearer " + opts.token + "\r\n";
  if (method != "GET") {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
  }
  return req + "\r\n" + body;
}

// Reads until `needle` is in `buf` (or EOF); false on EOF/error/stop.
bool read_until(int fd, std::string& buf, const std::string& needle,
                const std::function<bool()>& stop = {}) {
  while (buf.find(needle) == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (stop && stop()) return false;
    if (r == 0) continue;
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

// Body of a Content-Length or close-delimited response (an error answer
// to an SSE request).
std::string read_body(int fd, std::string buf, const std::string& head) {
  auto lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto pos = lower.find("content-length:"); pos != std::string::npos) {
    size_t len = std::stoul(head.substr(pos + 15));
    while (buf.size() < len) {
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
    }
    return buf.substr(0, len);
  }
  char chunk[16384];
  ssize_t n;
  while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0) buf.append(chunk, static_cast<size_t>(n));
  return buf;
}

}  // namespace

model::result<client_response> http_call(const client_options& opts, const std::string& method,
                                         const std::string& path, const std::string& body) {
  auto fd = connect_to(opts);
  if (!fd) return fd.error();
  if (!send_all(*fd, request_text(opts, method, path, body))) {
    ::close(*fd);
    return unreachable(opts, "connection lost while sending");
  }
  // One response, whatever its framing (model/bench/http_response_parser).
  model::http_response_parser parser(SIZE_MAX);
  for (;;) {
    char chunk[16384];
    ssize_t n = ::recv(*fd, chunk, sizeof chunk, 0);
    auto fed = n > 0 ? parser.feed(std::string_view(chunk, static_cast<size_t>(n)))
                     : parser.finish();
    if (!fed || parser.ready() || n <= 0) break;
  }
  ::close(*fd);
  if (!parser.ready()) return unreachable(opts, "no answer");
  auto answer = parser.take();
  return client_response{answer.status, std::move(answer.body)};
}

model::result<model::done> follow_sse(const client_options& opts, const std::string& path,
                                      const std::function<bool(const std::string&)>& on_data,
                                      const std::function<bool()>& stop) {
  auto fd = connect_to(opts);
  if (!fd) return fd.error();
  if (!send_all(*fd, request_text(opts, "GET", path, ""))) {
    ::close(*fd);
    return unreachable(opts, "connection lost while sending");
  }
  std::string buf;
  if (!read_until(*fd, buf, "\r\n\r\n", stop)) {
    ::close(*fd);
    if (stop()) return model::done{};
    return unreachable(opts, "no answer");
  }
  auto end = buf.find("\r\n\r\n");
  std::string head = buf.substr(0, end);
  int status = std::atoi(head.c_str() + head.find(' ') + 1);
  buf.erase(0, end + 4);
  if (status != 200) {
    client_response r{status, read_body(*fd, buf, head)};
    ::close(*fd);
    return make_problem(errc::unavailable, error_detail(r));
  }
  for (;;) {
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line.rfind("data: ", 0) == 0 && !on_data(line.substr(6))) {
        ::close(*fd);
        return model::done{};
      }
    }
    if (!read_until(*fd, buf, "\n", stop)) break;
  }
  ::close(*fd);
  return model::done{};
}

std::string error_detail(const client_response& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view detail;
  if (!parser.parse(r.body).get(doc) && !doc["errors"].at(0)["detail"].get(detail))
    return std::string(detail) + " (HTTP " + std::to_string(r.status) + ")";
  return "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body);
}

}  // namespace fabro::app
