#include "http/server.hpp"

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include "http/api.hpp"

namespace fabro::http {

model::result<std::unique_ptr<http_server>> http_server::start(caf::actor_system& sys,
                                                               actors::orchestrator_actor orch,
                                                               const http_config& cfg) {
  std::unique_ptr<http_server> s(new http_server());
  std::string where = cfg.host + ":" + std::to_string(cfg.port);
  try {
    Pistache::Address addr(cfg.host, Pistache::Port(cfg.port));
    s->endpoint_ = std::make_unique<Pistache::Http::Endpoint>(addr);
    // Pistache counts headers and body together; leave room above the body
    // limit so an oversized body still gets our JSON 413 (bodies beyond
    // this get Pistache's plain-text 413).
    size_t max_request = cfg.max_body_bytes * 2 + (64u << 10);
    s->endpoint_->init(Pistache::Http::Endpoint::options()
                           .threads(cfg.threads)
                           .threadsName("http")
                           .flags(Pistache::Tcp::Options::ReuseAddr)
                           .backlog(1024)
                           .maxRequestSize(max_request)
                           .maxResponseSize(64u << 20));
    s->router_ = std::make_unique<Pistache::Rest::Router>();
    s->api_ = std::make_unique<api>(sys, std::move(orch), cfg);
    s->api_->install(*s->router_);
    s->endpoint_->setHandler(s->router_->handler());
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
