// `serve` on a PostgreSQL store (issue 18): one of the servers sharing the
// store is its queue authority (store/pg_authority.hpp) and runs the
// orchestrator; every server answers the API, the others through the
// authority (actors/cluster.hpp). This is a server's side of that, on a
// thread of its own (it blocks on the database and on CAF connects):
//
// - Every 100 ms it asks for the authority's lock. Once it has it, it
//   starts the orchestrator (start_authority: recovery rebuilds the queue
//   from the database, as a restart does), publishes the cluster endpoint
//   at `endpoint` (HOST:PORT, port 0 = any free one) and its address in
//   the store, and points the gateway at the local orchestrator.
// - Until then it follows: it connects to the endpoint the store names,
//   joins with the node's event hub and a new executor (the authority
//   places runs on it) and points the gateway at the remote orchestrator.
//   When that connection drops or the store names a new term (read with
//   each heartbeat), the gateway
//   points nowhere (503), the executor ends its runs (the next authority's
//   recovery ends them failed/terminated, as a restart does) and the hub
//   ends its streams (clients resume with Last-Event-ID) until the next
//   authority is reached.
// - Every 500 ms it heartbeats (fabro_nodes) and refreshes the operator
//   view. An authority whose database session is lost stops the server
//   (SIGTERM to itself): another node may take over, and the store's fence
//   refuses our commits.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/cluster.hpp"
#include "model/result.hpp"
#include "store/pg_authority.hpp"

namespace fabro::app {

class cluster_node {
 public:
  // Spawns the orchestrator as the authority of `term`, with `listener`
  // as its event listener. A failure stops the server.
  using start_authority = std::function<model::result<actors::orchestrator_actor>(
      uint64_t term, actors::event_listener_actor listener)>;

  struct settings {
    std::string url;       // the store (its schema in place)
    std::string node_id;
    std::string endpoint;  // HOST:PORT for the cluster endpoint (app/serve_config.hpp)
    caf::actor gateway;    // actors/cluster.hpp
    actors::event_hub_actor hub;
    start_authority start;
    // While following: this node's executor, offered to the authority with
    // `slots` (its max_concurrent_runs); null executes nothing here.
    std::function<actors::executor_actor()> make_executor;
    uint64_t slots = 0;
  };

  // Connects to the store. Fails when it cannot be reached.
  static model::result<std::unique_ptr<cluster_node>> open(caf::actor_system& sys,
                                                           settings s);
  ~cluster_node();  // stops the thread (the orchestrator, if any, stays)

  // The first round, on the caller's thread: leads or joins the authority
  // if it can right now (so a node serves at once when it can).
  void begin();
  // Starts the thread; `http_address` is what operators see for this node.
  void run(const std::string& http_address);
  // {"node","authority","term","nodes":[{"id","address","role","slots",
  // "heartbeat_ms","started_ms"}]} as of the last heartbeat; never blocks.
  std::string view() const;
  // The orchestrator this node runs as the authority; null while following.
  actors::orchestrator_actor local_orchestrator() const;

 private:
  cluster_node(caf::actor_system& sys, settings s,
               std::unique_ptr<store::pg_authority> authority);
  void loop();
  // One round: lead when the lock is free, else follow. `self` (the
  // thread's) hears when the followed endpoint goes; null in begin().
  void step(caf::scoped_actor* self);
  void lead(uint64_t term);  // becomes the authority
  void follow();             // finds and joins the authority
  void unfollow(const char* why);
  void refresh();

  caf::actor_system& sys_;
  settings settings_;
  std::unique_ptr<store::pg_authority> authority_;  // the thread's alone
  std::string http_address_;
  // The thread's: the endpoint followed and its term.
  caf::actor followed_;
  uint64_t followed_term_ = 0;
  bool monitored_ = false;  // the thread watches followed_
  std::string missing_;  // what was last said of an unreachable authority
  actors::cluster_endpoint_actor endpoint_;  // as the authority
  actors::executor_actor executor_;          // while following

  mutable std::mutex mutex_;
  std::string view_;
  actors::orchestrator_actor orch_;  // as the authority
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fabro::app
