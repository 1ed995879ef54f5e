// Which server is the queue authority of a PostgreSQL store (issue 18), and
// which servers share it.
//
// The authority holds a session-level advisory lock on its own connection
// (this object's) for as long as it serves; PostgreSQL releases it when
// that session ends (the process died, the connection dropped). Taking the
// lock bumps the term in `fabro_authority` in the same session; every
// commit of a store fenced with that term (pg_run_store::fence) first
// checks the term under a share lock, so a server that lost the lock
// commits nothing once another one took it: the new authority's term bump
// waits for the old one's commits in flight, and every commit after it
// fails.
//
// Once it serves, the authority publishes where its CAF endpoint listens
// (`fabro_authority.endpoint`, reset with every term): the other nodes
// send it their requests (app/cluster_node.hpp).
//
// `fabro_nodes` lists the servers on the store (id, address, slots, role,
// heartbeat), for operators (GET /api/v1/system/info).
//
// One thread at a time (a connection of its own). Blocking: not for an
// HTTP thread or an actor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/result.hpp"

struct pg_conn;

namespace fabro::store {

struct cluster_node {
  std::string id;
  std::string address;  // where it serves HTTP
  std::string role;     // "authority" (holds the term in fabro_authority) or "follower"
  uint64_t slots = 0;        // runs it executes at once
  int64_t heartbeat_ms = 0;  // its last heartbeat (wall clock)
  int64_t started_ms = 0;
};

// Who holds the authority: node id, term and CAF endpoint ("host:port", ""
// until published).
struct authority_holder {
  std::string node_id;
  uint64_t term = 0;
  std::string endpoint;
};

class pg_authority {
 public:
  // Connects to `url` (the schema must exist: pg_run_store::open first).
  static model::result<std::unique_ptr<pg_authority>> open(const std::string& url,
                                                           std::string node_id);
  ~pg_authority();

  // Takes the lock if nobody holds it and returns the new term; 0 when
  // another session holds it; the same term again once held.
  model::result<uint64_t> try_acquire();
  // The term taken, 0 before.
  uint64_t term() const { return term_; }
  // Records this node's heartbeat and tells whether this session is still
  // alive (when it holds the lock: still the authority).
  model::result<model::done> heartbeat(const std::string& address, uint64_t slots = 0);
  // Publishes where this node's CAF endpoint listens; only as the
  // authority (REQUIRES: term() > 0).
  model::result<model::done> publish_endpoint(const std::string& endpoint);
  // The current authority ("" and 0 when none yet).
  model::result<authority_holder> authority();
  // Every node that heartbeat within `recent_ms`, authority first.
  model::result<std::vector<cluster_node>> nodes(int64_t recent_ms);

 private:
  pg_authority(pg_conn* conn, std::string url, std::string id)
      : conn_(conn), url_(std::move(url)), id_(std::move(id)) {}
  model::problem failure(const std::string& what) const;

  pg_conn* conn_;
  std::string url_, id_;
  uint64_t term_ = 0;
  int64_t started_ms_ = 0;
};

}  // namespace fabro::store
