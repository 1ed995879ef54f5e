#include "http/server.hpp"

#include <sys/socket.h>

#include <atomic>

#include <pistache/endpoint.h>
#include <pistache/peer.h>
#include <pistache/router.h>

#include "http/api.hpp"
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

  capped_router_handler(std::shared_ptr<Pistache::Rest::Router> router, size_t cap)
      : router_(std::move(router)), cap_(cap), open_(std::make_shared<std::atomic<size_t>>(0)) {}

  void onRequest(const Http::Request& req, Http::ResponseWriter rw) override {
    // A request that raced in before the socket was shut down has been
    // answered already (the 503); Pistache sends nothing for an unused writer.
    if (auto peer = rw.peer(); peer && peer->tryGetData(kTurnedAway)) return;
    router_->route(req, std::move(rw));
  }

  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    // Http::Handler::onConnection is private; this is all it does in
    // Pistache 0.0.5 (http.cc): give the peer its request parser.
    peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
    if (open_->fetch_add(1) + 1 > cap_ && cap_ != 0) turn_away(*peer);
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

  std::shared_ptr<Pistache::Rest::Router> router_;
  size_t cap_;
  std::shared_ptr<std::atomic<size_t>> open_;
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
    Pistache::Address addr(cfg.host, Pistache::Port(cfg.port));
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
                           .maxResponseSize(64u << 20));
    s->router_ = std::make_shared<Pistache::Rest::Router>();
    s->api_ = std::make_unique<api>(sys, std::move(orch), cfg, std::move(hub));
    s->api_->install(*s->router_);
    s->endpoint_->setHandler(
        std::make_shared<capped_router_handler>(s->router_, cfg.max_connections));
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
}

}  // namespace fabro::http
