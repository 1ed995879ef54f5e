#include "app/bench/bench_target.hpp"

#include "app/manifest_builder.hpp"

#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fabro::app {
namespace {

using model::errc;
using model::make_problem;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Connects within `ms`; 0 or the errno.
int try_connect(const addrinfo* ai, int ms) {
  int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int err = 0;
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, ms) <= 0) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  ::close(fd);
  return err;
}

std::string headers(const resolved_server& server, const std::string& token) {
  std::string h = "Host: " + server.host_header + "\r\nUser-Agent: fabro-orchestrator-bench/0.1.0\r\n";
  if (!token.empty()) h += "Authorization: Bearer " + token + "\r\n";
  return h;
}

}  // namespace

const std::string& default_bench_manifest() {
  static const std::string manifest =
      "{\"version\":1,\"cwd\":\"/tmp\","
      "\"target\":{\"identifier\":\"bench\",\"path\":\"bench.fabro\"},"
      "\"args\":{\"dry_run\":true,\"auto_approve\":true,\"label\":[\"source=bench\"]},"
      "\"workflows\":{\"bench.fabro\":{\"source\":\"digraph Bench { graph [goal=\\\"bench\\\"] "
      "start [shape=Mdiamond] exit [shape=Msquare] start -> exit }\",\"files\":{}}}}";
  return manifest;
}

model::result<std::string> bench_body(const std::string& manifest_file,
                                      const std::string& workflow_file, bool dry_run) {
  const std::string& file = !manifest_file.empty() ? manifest_file : workflow_file;
  if (file.empty()) return default_bench_manifest();
  if (ends_with(file, ".fabro")) {
    manifest_options m;
    m.workflow_file = file;
    m.dry_run = dry_run;
    auto built = build_manifest(m);
    if (!built) return built.error();
    return std::move(built->json);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_problem(errc::invalid_request, "cannot read the manifest " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
  return body;
}

model::result<resolved_server> reach_server(const client_options& client) {
  auto url = parse_server_url(client.server);
  if (!url) return url.error();
  auto unreachable = [&](const std::string& why) {
    return make_problem(errc::unavailable, "cannot reach the server at " + client.server + ": " + why);
  };
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(url->host.c_str(), url->port.c_str(), &hints, &res); rc != 0)
    return unreachable(gai_strerror(rc));
  int err = ENOENT;
  resolved_server server;
  for (auto* ai = res; ai; ai = ai->ai_next) {
    if ((err = try_connect(ai, 5000)) != 0) continue;
    std::memcpy(&server.address, ai->ai_addr, ai->ai_addrlen);
    server.address_len = ai->ai_addrlen;
    break;
  }
  ::freeaddrinfo(res);
  if (err != 0) return unreachable(std::strerror(err));
  bool v6 = url->host.find(':') != std::string::npos;
  server.host_header = (v6 ? "[" + url->host + "]" : url->host) + ":" + url->port;
  return server;
}

std::string post_runs_request(const resolved_server& server, const std::string& token,
                              const std::string& body, bool start) {
  return std::string("POST /api/v1/runs") + (start ? "?start=true" : "") + " HTTP/1.1\r\n" +
         headers(server, token) + "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string attach_request(const resolved_server& server, const std::string& token) {
  return "GET /api/v1/attach HTTP/1.1\r\n" + headers(server, token) +
         "Accept: text/event-stream\r\n\r\n";
}

}  // namespace fabro::app
