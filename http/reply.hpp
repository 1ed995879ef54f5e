// A request's one response (STYLE §5, toolchain notes §3).
//
// `reply` owns the Pistache ResponseWriter of one request. It adds the
// headers every response carries (x-request-id, and keep-alive for HTTP/1.1
// requests without a Connection header, which Pistache 0.0.5 would close),
// sends at most once, and if it is destroyed unsent — an actor died, a
// handler forgot — answers 503 so no client hangs. Shared between the HTTP
// thread and the actor that answers; send() may be called from any thread,
// once (later calls are ignored).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <pistache/http.h>
#include <pistache/router.h>

#include "model/result.hpp"

namespace fabro::http {

class reply {
 public:
  reply(const Pistache::Rest::Request& req, Pistache::Http::ResponseWriter writer);
  ~reply();
  reply(const reply&) = delete;
  reply& operator=(const reply&) = delete;

  const std::string& request_id() const { return request_id_; }
  // The authenticated caller, set by api::guarded before the handler runs:
  // login() is "dev" (dev token), the JWT user, or "" (open route, auth
  // mode none); auth_method() is dev_token | jwt | disabled | "" (open).
  // Handlers of `subject` routes record login() as the `actor` of the
  // run.*.requested events they cause, and in the run's provenance.
  const std::string& login() const { return login_; }
  const std::string& auth_method() const { return auth_method_; }
  void set_caller(std::string login, std::string auth_method) {
    login_ = std::move(login);
    auth_method_ = std::move(auth_method);
  }

  void send_json(Pistache::Http::Code code, const std::string& body);
  void send_empty(Pistache::Http::Code code);
  // `body` with Content-Type `media_type` (a downloaded file, an image).
  void send_bytes(Pistache::Http::Code code, const std::string& body,
                  const std::string& media_type = "application/octet-stream");
  // Status and body chosen by error_response from the problem's code; a
  // 429 or storage 503 also carries Retry-After (error_response: retry_after_of).
  void send_problem(const model::problem& p);
  void send_error(Pistache::Http::Code code, const std::string& detail);
  // Takes the connection over for a stream this code writes itself (SSE):
  // writes `head` (status line and headers, which must end with a blank
  // line) and returns a duplicate of the socket, or -1 when the client is
  // gone. Counts as the reply. Thread-safe like send_json.
  int take_connection(const std::string& status_line_and_headers);
  // Adds a header before sending; `H` is a Pistache header type.
  template <class H, class... Ts>
  void add_header(Ts&&... xs) {
    writer_.headers().add<H>(std::forward<Ts>(xs)...);
  }

 private:
  bool claim();  // true exactly once: the caller may send
  void prepare_headers();
  // Tells the connection's framing gate once `sent` is written, so the next
  // pipelined request may go in (http/connection_gate.hpp).
  void on_written(Pistache::Async::Promise<ssize_t> sent);

  Pistache::Http::ResponseWriter writer_;
  std::weak_ptr<Pistache::Tcp::Peer> peer_;
  std::string request_id_;
  std::string login_;
  std::string auth_method_;
  bool keep_alive_ = false;
  std::atomic<bool> sent_{false};
};

using reply_ptr = std::shared_ptr<reply>;

inline reply_ptr make_reply(const Pistache::Rest::Request& req,
                            Pistache::Http::ResponseWriter writer) {
  return std::make_shared<reply>(req, std::move(writer));
}

}  // namespace fabro::http
