// Internal to the journal (actors/journal.cpp): its sync thread, the second
// half of the pipelined group commit.
//
// The journal commits a batch without waiting for the disk
// (run_store::commit_unsynced) and hands the batch's answers here; while it
// goes on writing the next batch, this thread runs store->sync() once for
// every batch handed over before that sync began, then releases each of
// them in order (a failed sync fails that round and every later one,
// without syncing again): on success the batch's events go to the event listener,
// its new runs to the created listener, its submissions' waiters are
// answered; on failure every waiter gets errc::storage_failure. Finally the
// journal is told (synced_atom, last batch number, failure or "") so it can
// answer the typed commit requests of those batches on its own thread.
//
// So a batch is answered only after a sync that began after its COMMIT
// returned (PostgreSQL's XLogFlush shape: appends go on while one sync
// covers everything appended before it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <caf/weak_intrusive_ptr.hpp>

#include "actors/journal.hpp"
#include "actors/run_intake.hpp"

namespace fabro::actors {

// What one committed batch releases once durable.
struct committed_batch {
  uint64_t number = 0;
  std::vector<published_event> events;
  event_listener_actor listener;      // may be null
  created_notice notice;              // the new runs and the existing-run answers
  created_listener_actor created_to;  // may be null: then existing runs answer here
  std::vector<std::pair<create_waiter_ptr, create_result>> created;  // answered 201
  std::vector<std::pair<create_waiter_ptr, model::problem>> refused;  // answered at once
};

class journal_syncer {
 public:
  // `journal` is held weakly (the journal owns this object).
  journal_syncer(std::shared_ptr<store::run_store> store, caf::weak_actor_ptr journal);
  ~journal_syncer();  // stop() if not done
  journal_syncer(const journal_syncer&) = delete;
  journal_syncer& operator=(const journal_syncer&) = delete;

  // From the journal's thread, right after the batch's commit returned.
  void push(committed_batch batch);
  // Releases everything pushed so far (syncing it), then ends the thread
  // (joined; detached instead when called on the sync thread itself, which
  // happens if it dropped the journal's last reference).
  void stop();

  struct shared;  // what the thread and this handle share

 private:
  std::shared_ptr<shared> s_;
  std::thread thread_;
};

}  // namespace fabro::actors
