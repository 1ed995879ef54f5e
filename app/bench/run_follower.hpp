// Follows every run to its end for `bench --follow`: one SSE connection to
// GET /api/v1/attach (all runs, live events only; reference §9.3), read on
// its own thread, reporting each run.completed / run.failed to a
// run_tracker. Handles close-delimited and chunked streams.
//
// Owned by the bench command; start() and stop() from one thread.
#pragma once

#include "app/bench/run_tracker.hpp"
#include "model/result.hpp"

#include <sys/socket.h>

#include <atomic>
#include <string>
#include <thread>

namespace fabro::app {

class run_follower {
 public:
  explicit run_follower(run_tracker& tracker) : tracker_(tracker) {}
  ~run_follower() { stop(); }

  // Connects to `address`, sends `request` (the GET of the stream) and
  // waits up to 5 s for the 200 head, so events of runs created afterwards
  // are not missed; then reads on a thread. Fails with errc::unavailable
  // (cannot connect, no answer) or with the server's status and body.
  model::result<model::done> start(const sockaddr_storage& address, socklen_t len,
                                   const std::string& request);
  // Stops reading and joins the thread. Idempotent.
  void stop();
  // Whether the stream ended or failed before stop() (then runs may be
  // reported unfinished); what happened.
  bool lost() const { return lost_; }
  const std::string& why_lost() const { return why_; }

 private:
  run_tracker& tracker_;
  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> lost_{false};
  std::string why_;  // written by the thread before lost_ becomes true
};

}  // namespace fabro::app
