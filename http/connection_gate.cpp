#include "http/connection_gate.hpp"

#include <sys/socket.h>

#include <condition_variable>
#include <thread>

#include <pistache/http_defs.h>

#include "http/connection_sweeper.hpp"
#include "http/error_response.hpp"

namespace fabro::http {
namespace {

// Writes what fits now; a client that does not read gets less (it is
// about to be disconnected anyway).
void write_now(int fd, const std::string& text) {
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void answer_framing_error(connection_gate& g) {
  auto code = static_cast<Pistache::Http::Code>(g.framer.error_status());
  std::string body = error_body(code, g.framer.error_detail(), "");
  write_now(g.fd, "HTTP/1.1 " + std::to_string(static_cast<int>(code)) + " " + title_of(code) +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  // Half-close: the client reads the answer before it sees the end (a full
  // close with its unread body in our buffer would reset the connection
  // and lose the answer); what it still sends is read and dropped.
  ::shutdown(g.fd, SHUT_WR);
  g.closed = true;
}

void pump(connection_gate& g) {
  if (g.pumping) return;
  g.pumping = true;
  while (!g.closed && !g.in_flight && !g.queue.empty()) {
    auto next = std::move(g.queue.front());
    g.queue.pop_front();
    g.in_flight = true;
    g.close_after = !next.keep_alive;
    g.dispatch(next);
  }
  if (!g.closed && !g.in_flight && g.queue.empty() && g.failed) answer_framing_error(g);
  g.pumping = false;
}

}  // namespace

std::shared_ptr<connection_gate> gate_of(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  if (!peer) return nullptr;
  return std::static_pointer_cast<connection_gate>(peer->tryGetData(kGateData));
}

void gate_input(connection_gate& g, const char* data, size_t len) {
  std::lock_guard<std::recursive_mutex> lock(g.mutex);
  if (g.closed || g.failed) return;
  auto now = steady_ms();
  g.last_activity_ms = now;
  std::vector<framed_request> complete;
  bool ok = g.framer.feed(data, len, complete);
  if (!g.framer.in_request()) g.request_began_ms = -1;
  else if (g.request_began_ms < 0 || !complete.empty()) g.request_began_ms = now;
  for (auto& r : complete) g.queue.push_back(std::move(r));
  if (!ok) g.failed = true;
  else if (g.framer.take_continue() && !g.in_flight && g.queue.empty())
    write_now(g.fd, "HTTP/1.1 100 Continue\r\n\r\n");
  pump(g);
}

namespace {

// Hands the next pipelined request in from a thread of its own: the
// written-callback runs inside Pistache's write path (which may hold its
// write lock), where dispatching a request, whose handler may write at
// once, could deadlock.
class pump_worker {
 public:
  static pump_worker& get() {
    static pump_worker* w = new pump_worker();  // lives as long as the process
    return *w;
  }
  void post(std::weak_ptr<Pistache::Tcp::Peer> peer) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      work_.push_back(std::move(peer));
    }
    ready_.notify_one();
  }

 private:
  pump_worker() { std::thread([this] { run(); }).detach(); }
  void run() {
    for (;;) {
      std::weak_ptr<Pistache::Tcp::Peer> next;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !work_.empty(); });
        next = std::move(work_.front());
        work_.pop_front();
      }
      auto peer = next.lock();
      if (auto g = gate_of(peer)) {
        std::lock_guard<std::recursive_mutex> lock(g->mutex);
        pump(*g);
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::weak_ptr<Pistache::Tcp::Peer>> work_;
};

}  // namespace

void response_sent(const std::weak_ptr<Pistache::Tcp::Peer>& weak) {
  auto peer = weak.lock();
  auto g = gate_of(peer);
  if (!g) return;
  std::lock_guard<std::recursive_mutex> lock(g->mutex);
  if (!g->in_flight || g->closed) return;
  g->in_flight = false;
  g->last_activity_ms = steady_ms();
  if (g->close_after) {
    g->closed = true;  // shut down once written (response_written)
    g->queue.clear();
    return;
  }
  // Answered on this thread at once (the reactor's pump loop goes on), or
  // from an actor: the pump thread hands the next one in, so its answer is
  // queued behind this one in Pistache's write queue.
  if (!g->pumping && (!g->queue.empty() || g->failed)) pump_worker::get().post(weak);
}

void response_written(const std::weak_ptr<Pistache::Tcp::Peer>& weak) {
  auto peer = weak.lock();
  auto g = gate_of(peer);
  if (!g) return;
  std::lock_guard<std::recursive_mutex> lock(g->mutex);
  if (g->closed && g->close_after && !g->shut) {
    g->shut = true;
    ::shutdown(g->fd, SHUT_WR);  // the client closes; the reactor then drops the peer
  }
}

}  // namespace fabro::http
