// `serve` on a PostgreSQL store (issue 18): this server executes and admits
// runs only while it is the store's queue authority (store/pg_authority.hpp).
// Until then it waits as a standby, asking for the lock every 100 ms and
// heartbeating every 500 ms, and takes over when the
// authority's session ends (its process died): recovery then rebuilds the
// queue from the database, as a restart does. While serving, a thread
// heartbeats every second and keeps the operator view; when the
// authority's session is lost the server stops (SIGTERM to itself), since
// another node may take over and the store's fence refuses our commits.
#pragma once

#include <signal.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/result.hpp"
#include "store/pg_authority.hpp"

namespace fabro::app {

class store_authority {
 public:
  // Blocks until this node holds the authority of the store at `url`
  // (its schema in place), or a signal of `stop_signals` arrives (nullptr:
  // stopped as a standby), or the store fails (an error).
  static model::result<std::unique_ptr<store_authority>> take(const std::string& url,
                                                              const std::string& node_id,
                                                              const sigset_t& stop_signals);
  ~store_authority();

  uint64_t term() const { return authority_->term(); }  // fixed once taken
  // Heartbeats from now on with the HTTP address operators reach us at.
  void serve(const std::string& address);
  // {"node","term","nodes":[{"id","address","role","heartbeat_ms","started_ms"}]}
  // as of the last heartbeat; never blocks.
  std::string view() const;

 private:
  explicit store_authority(std::unique_ptr<store::pg_authority> a, std::string node_id)
      : authority_(std::move(a)), node_id_(std::move(node_id)) {}
  void refresh();  // heartbeat + view; SIGTERM to ourselves when the session is gone

  std::unique_ptr<store::pg_authority> authority_;  // only the heartbeat thread, once serving
  std::string node_id_;
  std::string address_;
  mutable std::mutex mutex_;
  std::string view_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread beat_;
};

}  // namespace fabro::app
