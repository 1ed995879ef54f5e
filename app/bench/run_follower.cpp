#include "app/bench/run_follower.hpp"

#include "app/bench/load_loop.hpp"
#include "model/bench/http_response_parser.hpp"
#include "model/bench/sse_decoder.hpp"

#include <simdjson.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fabro::app {
namespace {

using model::errc;
using model::make_problem;

// Reads what is there within `ms`; 0 on timeout, -1 on EOF or error.
ssize_t read_within(int fd, char* buf, size_t size, int ms) {
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, ms);
  if (r == 0) return 0;
  if (r < 0) return errno == EINTR ? 0 : -1;
  ssize_t n = ::recv(fd, buf, size, 0);
  return n > 0 ? n : -1;
}

}  // namespace

model::result<model::done> run_follower::start(const sockaddr_storage& address, socklen_t len,
                                               const std::string& request) {
  fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), len) != 0 ||
      ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size()))
    return make_problem(errc::unavailable,
                        std::string("cannot open the event stream: ") + std::strerror(errno));
  model::http_response_parser head(SIZE_MAX);
  char buf[16384];
  uint64_t deadline = monotonic_ns() + 5000000000ull;
  while (!head.in_body() && !head.ready()) {
    if (monotonic_ns() > deadline)
      return make_problem(errc::unavailable, "the event stream did not answer within 5 s");
    ssize_t n = read_within(fd_, buf, sizeof buf, 100);
    if (n < 0) {
      if (!head.finish() || !head.ready())
        return make_problem(errc::unavailable, "the server closed the event stream at once");
      break;
    }
    if (auto fed = head.feed(std::string_view(buf, static_cast<size_t>(n))); !fed)
      return make_problem(errc::unavailable, fed.error().detail);
  }
  if (head.ready()) {  // a whole answer, not a stream
    auto r = head.take();
    return make_problem(errc::unavailable, "the event stream was answered HTTP " +
                                               std::to_string(r.status) + ": " + r.body.substr(0, 200));
  }
  if (head.status() != 200)
    return make_problem(errc::unavailable, "the event stream was answered HTTP " +
                                               std::to_string(head.status()));
  // The parser stays with the thread: it decodes a chunked stream too.
  thread_ = std::thread([this, parser = std::move(head)]() mutable {
    model::sse_decoder sse;
    simdjson::dom::parser json;
    char chunk[65536];
    auto deliver = [&](std::string bytes) {
      for (auto& data : sse.feed(bytes)) {
        bool completed = data.find("\"run.completed\"") != std::string::npos;
        if (!completed && data.find("\"run.failed\"") == std::string::npos) continue;
        simdjson::dom::element e;
        std::string_view event, id;
        if (json.parse(data).get(e) || e["event"].get(event) || e["run_id"].get(id)) continue;
        if (event == "run.completed" || event == "run.failed")
          tracker_.ended(std::string(id), monotonic_ns(), event == "run.completed");
      }
    };
    deliver(parser.take_body());
    while (!stopping_) {
      ssize_t n = read_within(fd_, chunk, sizeof chunk, 100);
      if (n == 0) continue;
      if (n < 0) {
        why_ = "the server closed the event stream";
        lost_ = true;
        return;
      }
      if (auto fed = parser.feed(std::string_view(chunk, static_cast<size_t>(n))); !fed) {
        why_ = fed.error().detail;
        lost_ = true;
        return;
      }
      deliver(parser.ready() ? parser.take().body : parser.take_body());
    }
  });
  return model::done{};
}

void run_follower::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace fabro::app
