#include "app/cluster_node.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "app/serve_config.hpp"
#include "model/json_writer.hpp"
#include "store/pg_run_store.hpp"

namespace fabro::app {

namespace {

// How often a node asks for the lock and checks whom it follows, and how
// often it heartbeats.
constexpr auto kPoll = std::chrono::milliseconds(100);
constexpr int kBeatEvery = 5;  // polls
// Nodes that heartbeat within this long are listed.
constexpr int64_t kRecentMs = 10000;
// How long joining a reached endpoint may take.
constexpr auto kJoinTimeout = std::chrono::seconds(5);

void stop_server() { ::kill(::getpid(), SIGTERM); }

}  // namespace

model::result<std::unique_ptr<cluster_node>> cluster_node::open(caf::actor_system& sys,
                                                                settings s) {
  auto a = store::pg_authority::open(s.url, s.node_id);
  if (!a) return a.error();
  return std::unique_ptr<cluster_node>(new cluster_node(sys, std::move(s), std::move(*a)));
}

cluster_node::cluster_node(caf::actor_system& sys, settings s,
                           std::unique_ptr<store::pg_authority> authority)
    : sys_(sys), settings_(std::move(s)), authority_(std::move(authority)) {}

cluster_node::~cluster_node() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (endpoint_) caf::anon_send_exit(endpoint_, caf::exit_reason::user_shutdown);
  if (executor_) caf::anon_send_exit(executor_, caf::exit_reason::user_shutdown);
}

void cluster_node::run(const std::string& http_address) {
  http_address_ = http_address;
  thread_ = std::thread([this] { loop(); });
}

std::string cluster_node::view() const {
  std::lock_guard<std::mutex> g(mutex_);
  return view_;
}

actors::orchestrator_actor cluster_node::local_orchestrator() const {
  std::lock_guard<std::mutex> g(mutex_);
  return orch_;
}

void cluster_node::begin() { step(nullptr); }

void cluster_node::loop() {
  caf::scoped_actor self{sys_};
  for (int round = 0;; ++round) {
    step(&self);
    if (round % kBeatEvery == 0) refresh();
    std::unique_lock<std::mutex> g(mutex_);
    if (wake_.wait_for(g, kPoll, [this] { return stop_; })) return;
  }
}

void cluster_node::step(caf::scoped_actor* self) {
  if (authority_->term()) return;  // the authority until the process ends
  auto term = authority_->try_acquire();
  if (!term) {
    spdlog::warn("cluster: {}; reconnecting", term.error().detail);
    if (auto again = store::pg_authority::open(settings_.url, settings_.node_id))
      authority_ = std::move(*again);
    return;
  }
  if (*term > 0) return lead(*term);
  if (self) {
    // Whom we follow went away: its proxy's down message.
    (*self)->receive(
        [&](caf::down_msg& dm) {
          if (dm.source == followed_.address()) unfollow("its connection dropped");
        },
        caf::after(std::chrono::milliseconds(0)) >> [] {});
  }
  follow();
  if (self && followed_ && !monitored_) {
    (*self)->monitor(followed_);
    monitored_ = true;
  }
}

void cluster_node::lead(uint64_t term) {
  unfollow("this node takes over");  // the hub's streams came from it
  auto where = split_endpoint(settings_.endpoint);  // checked by check_config
  endpoint_ = actors::spawn_cluster_endpoint(sys_, settings_.hub);
  auto orch = settings_.start(term, endpoint_);
  if (!orch) {
    spdlog::error("cannot start as the queue authority (term {}): {}", term, orch.error().detail);
    return stop_server();
  }
  caf::anon_send(endpoint_, *orch);
  auto port = sys_.middleman().publish(endpoint_, where->second, where->first.c_str(), true);
  if (!port) {
    spdlog::error("cannot listen for the other nodes at {}: {}", settings_.endpoint,
                  sys_.render(port.error()));
    return stop_server();
  }
  auto endpoint = where->first + ":" + std::to_string(*port);
  if (auto published = authority_->publish_endpoint(endpoint); !published) {
    spdlog::error("{}", published.error().detail);
    return stop_server();
  }
  {
    std::lock_guard<std::mutex> g(mutex_);
    orch_ = *orch;
  }
  caf::anon_send(settings_.gateway, actors::retarget_atom::value, *orch);
  spdlog::info("queue authority of {} as node {} (term {}); other nodes reach it at {}",
               store::pg_run_store::redacted(settings_.url), settings_.node_id, term, endpoint);
}

void cluster_node::follow() {
  if (followed_) return;  // until its down message or a new term (refresh)
  auto holder = authority_->authority();
  if (!holder || holder->endpoint.empty()) return;
  auto where = split_endpoint(holder->endpoint);
  auto say = [&](const std::string& what) {
    if (what != missing_) spdlog::warn("follower: {}", what);
    missing_ = what;
  };
  if (!where) return say("the store names no valid endpoint: '" + holder->endpoint + "'");
  auto remote = sys_.middleman().remote_actor<actors::cluster_endpoint_actor>(where->first,
                                                                             where->second);
  if (!remote)
    return say("cannot reach the queue authority " + holder->node_id + " at " + holder->endpoint +
               ": " + sys_.render(remote.error()));
  auto endpoint = *remote;
  caf::scoped_actor self{sys_};
  actors::orchestrator_actor orch;
  if (!executor_ && settings_.make_executor) executor_ = settings_.make_executor();
  self->request(endpoint, kJoinTimeout, actors::join_atom::value, settings_.hub, executor_,
                settings_.node_id, settings_.slots)
      .receive([&](actors::orchestrator_actor& o) { orch = std::move(o); },
               [&](caf::error& err) {
                 say("cannot join the queue authority " + holder->node_id + ": " +
                     sys_.render(err));
               });
  if (!orch) return;
  followed_ = caf::actor_cast<caf::actor>(endpoint);
  monitored_ = false;
  followed_term_ = holder->term;
  missing_.clear();
  caf::anon_send(settings_.gateway, actors::retarget_atom::value, std::move(orch));
  spdlog::info("follower: node {} is the queue authority (term {}); node {} sends it requests "
               "at {} and takes over when it goes",
               holder->node_id, holder->term, settings_.node_id, holder->endpoint);
}

void cluster_node::unfollow(const char* why) {
  if (!followed_) return;
  spdlog::warn("follower: left the queue authority of term {} ({}); answering 503 until the "
               "next one is reached",
               followed_term_, why);
  followed_ = caf::actor();
  followed_term_ = 0;
  caf::anon_send(settings_.gateway, actors::retarget_atom::value);
  caf::anon_send(settings_.hub, actors::reset_hub_atom::value);
  if (executor_) caf::anon_send_exit(executor_, caf::exit_reason::user_shutdown);
  executor_ = nullptr;
}

void cluster_node::refresh() {
  if (auto beat = authority_->heartbeat(http_address_, settings_.slots); !beat) {
    if (authority_->term()) {
      spdlog::error("lost the queue authority's session ({}): stopping, another node may take "
                    "over",
                    beat.error().detail);
      return stop_server();
    }
    return;  // a follower reconnects in loop()
  }
  auto holder = authority_->authority();
  if (holder && followed_ && holder->term != followed_term_) unfollow("a new term began");
  auto nodes = authority_->nodes(kRecentMs);
  if (!holder || !nodes) return;
  model::json_writer w;
  w.begin_object()
      .field("node", settings_.node_id)
      .field("authority", holder->node_id)
      .field("term", holder->term)
      .key("nodes")
      .begin_array();
  for (const auto& n : *nodes)
    w.begin_object()
        .field("id", n.id)
        .field("address", n.address)
        .field("role", n.role)
        .field("slots", n.slots)
        .field("heartbeat_ms", n.heartbeat_ms)
        .field("started_ms", n.started_ms)
        .end_object();
  w.end_array().end_object();
  std::lock_guard<std::mutex> g(mutex_);
  view_ = w.take();
}

}  // namespace fabro::app
