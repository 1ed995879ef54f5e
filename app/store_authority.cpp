#include "app/store_authority.hpp"

#include <unistd.h>

#include <chrono>

#include <spdlog/spdlog.h>

#include "model/json_writer.hpp"
#include "store/pg_run_store.hpp"

namespace fabro::app {

namespace {

// How often a standby asks for the lock, and how often nodes heartbeat.
constexpr auto kPoll = std::chrono::milliseconds(100);
constexpr auto kBeat = std::chrono::milliseconds(500);
// Nodes that heartbeat within this long are listed.
constexpr int64_t kRecentMs = 10000;

}  // namespace

model::result<std::unique_ptr<store_authority>> store_authority::take(
    const std::string& url, const std::string& node_id, const sigset_t& stop_signals) {
  auto a = store::pg_authority::open(url, node_id);
  if (!a) return a.error();
  bool told = false;
  for (int round = 0;; ++round) {
    auto term = (*a)->try_acquire();
    if (!term) return term.error();
    if (*term > 0) {
      spdlog::info("queue authority of {} as node {} (term {})",
                   store::pg_run_store::redacted(url), node_id, *term);
      return std::unique_ptr<store_authority>(new store_authority(std::move(*a), node_id));
    }
    if (round % (kBeat / kPoll) == 0)
      if (auto beat = (*a)->heartbeat(""); !beat) return beat.error();
    if (!told) {
      auto holder = (*a)->authority();
      spdlog::info("standby: node {} is the queue authority of {} (term {}); node {} takes over "
                   "when it goes",
                   holder ? holder->first : "?", store::pg_run_store::redacted(url),
                   holder ? holder->second : 0, node_id);
      told = true;
    }
    timespec wait{0, std::chrono::duration_cast<std::chrono::nanoseconds>(kPoll).count()};
    if (sigtimedwait(&stop_signals, nullptr, &wait) > 0) return std::unique_ptr<store_authority>();
  }
}

store_authority::~store_authority() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (beat_.joinable()) beat_.join();
}

void store_authority::serve(const std::string& address) {
  address_ = address;
  refresh();
  beat_ = std::thread([this] {
    std::unique_lock<std::mutex> g(mutex_);
    while (!wake_.wait_for(g, kBeat, [this] { return stop_; })) {
      g.unlock();
      refresh();
      g.lock();
    }
  });
}

void store_authority::refresh() {
  if (auto beat = authority_->heartbeat(address_); !beat) {
    spdlog::error("lost the queue authority's session ({}): stopping, another node may take over",
                  beat.error().detail);
    ::kill(::getpid(), SIGTERM);
    return;
  }
  auto nodes = authority_->nodes(kRecentMs);
  if (!nodes) return;
  model::json_writer w;
  w.begin_object().field("node", node_id_).field("term", term()).key("nodes").begin_array();
  for (const auto& n : *nodes)
    w.begin_object()
        .field("id", n.id)
        .field("address", n.address)
        .field("role", n.role)
        .field("heartbeat_ms", n.heartbeat_ms)
        .field("started_ms", n.started_ms)
        .end_object();
  w.end_array().end_object();
  std::lock_guard<std::mutex> g(mutex_);
  view_ = w.take();
}

std::string store_authority::view() const {
  std::lock_guard<std::mutex> g(mutex_);
  return view_;
}

}  // namespace fabro::app
