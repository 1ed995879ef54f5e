#include "http/connection_sweeper.hpp"

#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>

#include "http/connection_gate.hpp"

namespace fabro::http {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

// A quarter of the shortest timeout, within [50 ms, 1 s]: a connection is
// closed at most a quarter late.
std::chrono::milliseconds tick_of(const connection_timeouts& t) {
  auto shortest = std::chrono::milliseconds(1000);
  for (auto x : {t.header_timeout, t.idle_timeout})
    if (x.count() > 0) shortest = std::min(shortest, x / 4);
  return std::max(shortest, std::chrono::milliseconds(50));
}

// Whether the gate's connection has outstayed a timeout now.
bool expired(const connection_gate& g, const connection_timeouts& t, int64_t now) {
  if (g.closed || g.in_flight || !g.queue.empty() || g.failed) return false;
  if (g.request_began_ms >= 0)
    return t.header_timeout.count() > 0 && now - g.request_began_ms >= t.header_timeout.count();
  return t.idle_timeout.count() > 0 && now - g.last_activity_ms >= t.idle_timeout.count();
}

}  // namespace

connection_sweeper::connection_sweeper(connection_timeouts t) : t_(t), tick_(tick_of(t)) {
  thread_ = std::thread([this] { run(); });
}

connection_sweeper::~connection_sweeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void connection_sweeper::watch(std::weak_ptr<Pistache::Tcp::Peer> peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  peers_.push_back(std::move(peer));
}

void connection_sweeper::run() {
  pthread_setname_np(pthread_self(), "http.sweeper");
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, tick_, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    sweep();
    lock.lock();
  }
}

void connection_sweeper::sweep() {
  std::vector<std::weak_ptr<Pistache::Tcp::Peer>> peers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    peers.swap(peers_);
  }
  auto now = steady_ms();
  std::vector<std::weak_ptr<Pistache::Tcp::Peer>> keep;
  keep.reserve(peers.size());
  for (auto& weak : peers) {
    auto peer = weak.lock();
    auto g = gate_of(peer);
    if (!g) continue;  // gone
    std::lock_guard<std::recursive_mutex> lock(g->mutex);
    if (g->closed && g->shut) continue;  // closing on its own
    if (expired(*g, t_, now)) {
      g->closed = true;
      ::shutdown(g->fd, SHUT_RDWR);
      continue;
    }
    keep.push_back(std::move(weak));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  peers_.insert(peers_.end(), std::make_move_iterator(keep.begin()),
                std::make_move_iterator(keep.end()));
}

}  // namespace fabro::http
