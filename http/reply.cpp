#include "http/reply.hpp"

#include <random>

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pistache/peer.h>

#include "http/connection_gate.hpp"
#include "http/error_response.hpp"
#include "http/headers.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;

// A random UUIDv4 for x-request-id (never taken from the client).
std::string new_request_id() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  uint64_t a = gen(), b = gen();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFFF), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return out;
}

}  // namespace

reply::reply(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer)
    : writer_(std::move(writer)), request_id_(new_request_id()) {
  try {
    peer_ = writer_.peer();
  } catch (const std::exception&) {
    // the client is gone already
  }
  keep_alive_ = req.version() == Pistache::Http::Version::Http11 &&
                !req.headers().has<Pistache::Http::Header::Connection>();
}

reply::~reply() {
  if (!sent_.load()) send_error(Code::Service_Unavailable, "The service is unavailable.");
}

bool reply::claim() { return !sent_.exchange(true); }

void reply::on_written(Pistache::Async::Promise<ssize_t> sent) {
  auto peer = peer_;
  sent.then([peer](ssize_t) { response_written(peer); },
            [peer](std::exception_ptr) { response_written(peer); });
  response_sent(peer);
}

void reply::prepare_headers() {
  auto& h = writer_.headers();
  h.add<x_request_id>(request_id_);
  if (keep_alive_) {
    // HTTP/1.1 keeps connections open unless asked otherwise.
    h.remove<Pistache::Http::Header::Connection>();
    h.add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::KeepAlive);
  }
}

void reply::send_json(Code code, const std::string& body) {
  if (!claim()) return;
  prepare_headers();
  on_written(writer_.send(code, body, MIME(Application, Json)));
}

void reply::send_bytes(Code code, const std::string& body, const std::string& media_type) {
  if (!claim()) return;
  prepare_headers();
  on_written(writer_.send(code, body, Pistache::Http::Mime::MediaType::fromString(media_type)));
}

void reply::send_empty(Code code) {
  if (!claim()) return;
  prepare_headers();
  on_written(writer_.send(code));
}

int reply::take_connection(const std::string& head) {
  if (!claim()) return -1;
  int fd = -1;
  try {
    auto peer = writer_.peer();
    if (!peer) return -1;
    fd = ::dup(peer->fd());
  } catch (const std::exception&) {
    return -1;  // the client is gone
  }
  if (fd < 0) return -1;
  for (size_t off = 0; off < head.size();) {
    ssize_t n = ::send(fd, head.data() + off, head.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) > 0) continue;
    }
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  return fd;
}

void reply::send_problem(const model::problem& p) {
  auto code = status_of(p.code);
  if (!claim()) return;
  prepare_headers();
  if (int secs = retry_after_of(p.code)) writer_.headers().add<retry_after>(std::to_string(secs));
  on_written(writer_.send(code, error_body(code, p.detail, request_id_, p.diagnostics),
                          MIME(Application, Json)));
}

void reply::send_error(Code code, const std::string& detail) {
  send_json(code, error_body(code, detail, request_id_));
}

}  // namespace fabro::http
