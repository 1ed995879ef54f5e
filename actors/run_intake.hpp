// Public: actors layer (installed for embedders under include/fabro/).
// The submission fast path (issue 12): a prepared run goes from the HTTP
// thread straight to the journal — no per-request actor, no timer, no
// orchestrator hop — and its waiter is answered once the run is on disk.
//
//   HTTP thread:  prepare_run (parse, validate, events rendered)
//                 submit_run(journal, run, waiter)       → journal mailbox
//   journal:      one transaction for everything pending (commit_unsynced)
//   sync thread:  fdatasync covering that transaction, then, in order:
//                 the orchestrator hears of the batch's runs (one
//                 created_notice), the event listener gets the events, and
//                 each waiter is answered.
// So a client that has its 201 finds the run known to the orchestrator
// (its notice was enqueued before the answer was written), and nobody sees
// a run or event that is not durable.
//
// The orchestrator's typed `create` message stays for embedders and tests;
// both paths decide a repeated run_id the same way (the store, inside the
// transaction: created / existing / conflict).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/message_types.hpp"
#include "model/result.hpp"
#include "store/run_write.hpp"

namespace fabro::actors {

// The store write that creates `run` (record, manifest bytes, definition,
// events and their envelopes, moved out of `run`). Every create path uses it.
store::run_write create_write(model::new_run& run);

// errc::conflict "Run <id> already exists with a different manifest.": a
// create whose id is taken by other manifest bytes.
model::problem conflicting_run(const std::string& id);

// Hears the outcome of one submission, exactly once, on the journal's sync
// thread: {record, created=true} (new), {stored record, created=false}
// (the same run_id with byte-identical manifest bytes, answered through the
// orchestrator so a queued run has its position), or a problem:
// errc::conflict (same run_id, other bytes), errc::storage_failure (nothing
// acknowledged; the commit or its sync failed). Must not block.
class create_waiter {
 public:
  virtual ~create_waiter() = default;
  virtual void done(model::result<create_result> outcome) = 0;
};

using create_waiter_ptr = std::shared_ptr<create_waiter>;

// One run on its way to the journal.
struct submission {
  model::new_run run;
  create_waiter_ptr waiter;
};

// What the orchestrator hears after each synced batch: the records of the
// runs it created (durable, status submitted), and the submissions that
// found an existing identical run (the orchestrator answers those waiters
// with the run's current record).
struct created_notice {
  struct existing_run {
    model::run_record record;  // as stored
    create_waiter_ptr waiter;
  };
  std::vector<model::run_record> created;
  std::vector<existing_run> existing;
};

}  // namespace fabro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fabro::actors::submission)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fabro::actors::created_notice)
