#include "http/server.hpp"

#include <sys/socket.h>

#include <atomic>

#include <pistache/endpoint.h>
#include <pistache/peer.h>
#include <pistache/router.h>

#include "http/api.hpp"
#include "http/connection_gate.hpp"
#include "http/connection_sweeper.hpp"
#include "http/error_response.hpp"

namespace fabro::http {
namespace {

namespace Http = Pistache::Http;
namespace Tcp = Pistache::Tcp;

// Peer data key marking a connection turned away by the cap.
constexpr const char* kTurnedAway = "fabro.turned_away";

// The endpoint's handler: the router, behind a cap on open connections.
// Pistache clones the handler for each reactor thread; the clones share one
// counter. Pistache 0.0.5 offers no connection limit, so this counts
// onConnection/onDisconnection and answers a connection beyond the cap with
// a 503 written straight to its socket, then shuts the socket down; the
// reactor then sees end-of-file and drops the peer (onDisconnection).
class capped_router_handler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(capped_router_handler)

  capped_router_handler(std::shared_ptr<Pistache::Rest::Router> router, framing_limits limits,
                        size_t cap, connection_timeouts timeouts)
      : router_(std::move(router)),
        limits_(limits),
        cap_(cap),
        open_(std::make_shared<std::atomic<size_t>>(0)),
        sweeper_(std::make_shared<connection_sweeper>(timeouts)) {}

  void onRequest(const Http::Request& req, Http::ResponseWriter rw) override {
    // A request that raced in before the socket was shut down has been
    // answered already (the 503); Pistache sends nothing for an unused writer.
    auto peer = rw.peer();
    if (peer && peer->tryGetData(kTurnedAway)) return;
    auto status = router_->route(req, std::move(rw));
    // The router answered 405 itself, not through a reply.
    if (status == Pistache::Rest::Route::Status::NotAllowed) response_sent(peer);
  }

  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    // Http::Handler::onConnection is private; this is all it does in
    // Pistache 0.0.5 (http.cc): give the peer its request parser.
    peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
    auto gate = std::make_shared<connection_gate>(limits_);
    gate->fd = peer->fd();
    gate->last_activity_ms = steady_ms();
    std::weak_ptr<Tcp::Peer> weak = peer;
    gate->dispatch = [this, weak](const framed_request& r) { dispatch(r, weak.lock()); };
    peer->putData(kGateData, gate);
    if (open_->fetch_add(1) + 1 > cap_ && cap_ != 0) {
      gate->closed = true;
      turn_away(*peer);
      return;
    }
    sweeper_->watch(peer);
  }

  // Every byte goes through the framing gate (http/connection_gate.hpp);
  // Pistache's parser gets one complete, canonical request at a time.
  // (Http::Handler::onInput is private: this replaces it, never calls it.)
  void onInput(const char* data, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    if (auto gate = gate_of(peer)) gate_input(*gate, data, len);
  }

  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    open_->fetch_sub(1);
    router_->disconnectPeer(peer);
  }

 private:
  static void turn_away(Tcp::Peer& peer) {
    peer.putData(kTurnedAway, std::make_shared<bool>(true));
    auto code = status_of(model::errc::unavailable);
    std::string body = error_body(code, "Too many connections.", "");
    std::string text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                       "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body;
    // A fresh socket's send buffer takes this at once; if not, the client
    // just sees the connection closed.
    (void)::send(peer.fd(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(peer.fd(), SHUT_RDWR);
  }

  // What Pistache 0.0.5's Http::Handler::onInput does with a complete
  // request (its http.cc), for the one request the gate hands on.
  void dispatch(const framed_request& r, const std::shared_ptr<Tcp::Peer>& peer) {
    if (!peer) return;
    auto parser = getParser(peer);
    parser->reset();
    auto& request = parser->request;
    try {
      if (!parser->feed(r.bytes.data(), r.bytes.size()) ||
          parser->parse() != Http::Private::State::Done)
        throw std::runtime_error("unparsable canonical request");
    } catch (const std::exception&) {
      // The gate let through what Pistache cannot read (a bug, not input).
      parser->reset();
      Http::ResponseWriter response(Http::Version::Http11, transport(), this, peer);
      response.send(Http::Code::Bad_Request,
                    error_body(Http::Code::Bad_Request, "Malformed HTTP request.", ""),
                    MIME(Application, Json))
          .then([peer](ssize_t) { response_written(peer); },
                [peer](std::exception_ptr) { response_written(peer); });
      response_sent(peer);
      return;
    }
    Http::ResponseWriter response(request.version(), transport(), this, peer);
    request.copyAddress(peer->address());
    auto connection = request.headers().tryGet<Http::Header::Connection>();
    response.headers().add<Http::Header::Connection>(
        connection ? connection->control() : Http::ConnectionControl::Close);
    peer->setIdle(false);
    onRequest(request, std::move(response));
    parser->reset();
  }

  std::shared_ptr<Pistache::Rest::Router> router_;
  framing_limits limits_;
  size_t cap_;
  std::shared_ptr<std::atomic<size_t>> open_;
  std::shared_ptr<connection_sweeper> sweeper_;  // shared by the clones
};

}  // namespace

model::result<std::unique_ptr<http_server>> http_server::start(caf::actor_system& sys,
                                                               actors::orchestrator_actor orch,
                                                               actors::event_hub_actor hub,
                                                               const http_config& cfg) {
  auto auth = authenticator::create(cfg.auth, cfg.host);
  if (!auth) return auth.error();
  std::unique_ptr<http_server> s(new http_server());
  std::string where = cfg.host + ":" + std::to_string(cfg.port);
  try {
    // Pistache 0.0.5 reads an IPv6 host only in brackets, with its port.
    bool v6 = cfg.host.find(':') != std::string::npos;
    Pistache::Address addr = v6 ? Pistache::Address("[" + cfg.host + "]:" + std::to_string(cfg.port))
                                : Pistache::Address(cfg.host, Pistache::Port(cfg.port));
    s->endpoint_ = std::make_unique<Http::Endpoint>(addr);
    // Pistache counts headers and body together (see server.hpp); room for
    // twice the body limit lets an oversized body still get our JSON 413.
    size_t max_request = cfg.max_header_bytes + cfg.max_body_bytes * 2;
    s->endpoint_->init(Http::Endpoint::options()
                           .threads(cfg.threads)
                           .threadsName("http")
                           .flags(Tcp::Options::ReuseAddr)
                           .backlog(1024)
                           .maxRequestSize(max_request)
                           // Pages are bounded by count and per-run limits
                           // (a run page stays well under this; event pages
                           // stop at 32 MiB), stored runs of before those
                           // limits included.
                           .maxResponseSize(256u << 20));
    s->router_ = std::make_shared<Pistache::Rest::Router>();
    s->api_ = std::make_unique<api>(sys, std::move(orch), cfg, std::move(hub));
    s->api_->install(*s->router_);
    s->endpoint_->setHandler(
        std::make_shared<capped_router_handler>(
            s->router_, framing_limits{cfg.max_header_bytes, cfg.max_body_bytes},
            cfg.max_connections,
            connection_timeouts{std::chrono::milliseconds(cfg.header_timeout_ms),
                                std::chrono::milliseconds(cfg.idle_timeout_ms)}));
    s->endpoint_->serveThreaded();
  } catch (const std::exception& e) {
    return model::make_problem(model::errc::unavailable,
                               "cannot listen on " + where + ": " + e.what());
  }
  return s;
}

http_server::~http_server() { shutdown(); }

uint16_t http_server::port() const { return static_cast<uint16_t>(endpoint_->getPort()); }

void http_server::shutdown() {
  if (stopped_ || !endpoint_) return;
  stopped_ = true;
  endpoint_->shutdown();
  if (api_) api_->stop();
}

}  // namespace fabro::http
