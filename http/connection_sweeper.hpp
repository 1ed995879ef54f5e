// Header-read and idle timeouts of the framing gate (issue 11): a thread
// that closes connections a client holds without using them.
//
// Every `tick` it looks at each registered connection's gate
// (http/connection_gate.hpp) and shuts its socket down (SHUT_RDWR; the
// reactor then sees end-of-file and drops the peer) when
//   * a request has begun and is not complete `header_timeout` after its
//     first bytes arrived (slowloris), or
//   * nothing is in flight or queued, no request has begun, and nothing
//     was read or answered for `idle_timeout` (an idle keep-alive).
// A request being handled (in flight, SSE streams included) is never
// timed out. A timeout of 0 turns that check off.
//
// Thread-safety: watch() from any thread; the sweep takes each gate's
// mutex briefly. One sweeper is shared by the handler's clones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <pistache/peer.h>

namespace fabro::http {

struct connection_timeouts {
  std::chrono::milliseconds header_timeout{60000};  // nginx client_header_timeout
  std::chrono::milliseconds idle_timeout{75000};    // nginx keepalive_timeout
};

class connection_sweeper {
 public:
  explicit connection_sweeper(connection_timeouts t);
  ~connection_sweeper();  // stops and joins the thread
  connection_sweeper(const connection_sweeper&) = delete;
  connection_sweeper& operator=(const connection_sweeper&) = delete;

  // Starts watching a new connection (its gate must be in its data).
  void watch(std::weak_ptr<Pistache::Tcp::Peer> peer);

 private:
  void run();
  void sweep();

  connection_timeouts t_;
  std::chrono::milliseconds tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::weak_ptr<Pistache::Tcp::Peer>> peers_;
  std::thread thread_;
};

// Monotonic milliseconds, as the gates record activity.
int64_t steady_ms();

}  // namespace fabro::http
