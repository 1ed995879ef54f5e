#include "http/reply.hpp"

#include <random>

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
  keep_alive_ = req.version() == Pistache::Http::Version::Http11 &&
                !req.headers().has<Pistache::Http::Header::Connection>();
}

reply::~reply() {
  if (!sent_.load()) send_error(Code::Service_Unavailable, "The service is unavailable.");
}

bool reply::claim() { return !sent_.exchange(true); }

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
  writer_.send(code, body, MIME(Application, Json));
}

void reply::send_empty(Code code) {
  if (!claim()) return;
  prepare_headers();
  writer_.send(code);
}

void reply::send_problem(const model::problem& p) {
  auto code = status_of(p.code);
  send_json(code, error_body(code, p.detail, request_id_, p.diagnostics));
}

void reply::send_error(Code code, const std::string& detail) {
  send_json(code, error_body(code, detail, request_id_));
}

}  // namespace fabro::http
