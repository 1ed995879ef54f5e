// Public: store layer (installed for embedders under include/fabro/).
// The durable run store (DESIGN §5): runs (record + manifest bytes) and
// their event logs. Abstract so actors can run against the in-memory
// stand-in in tests (STYLE §10).
//
// Threading: an instance is used by one actor at a time (the journal owns
// the writing instance, a reader actor its own), except that sync() may run
// on another thread while commit_unsynced() runs. Implementations must
// allow a writer and readers on separate instances over the same data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/result.hpp"
#include "model/run_artifacts.hpp"
#include "model/run_record.hpp"
#include "store/run_write.hpp"

namespace fabro::store {

// A run waiting to execute, as recovery needs it.
struct waiting_row {
  std::string id;
  model::run_status status = model::run_status::submitted;  // submitted or queued
  uint64_t queue_seq = 0;  // the start order of a queued run
};

struct unfinished_runs {
  std::vector<model::run_record> executing;  // starting, running, paused
  std::vector<waiting_row> waiting;          // submitted, queued
};

// What the store holds and where (GET /api/v1/system/info and /df).
struct store_usage {
  uint64_t runs = 0;    // stored runs, finished or not
  uint64_t bytes = 0;   // bytes the store takes (its files on disk)
  std::string engine;   // "sqlite" or "memory"
  std::string location; // the database file; "" in memory
};

class run_store {
 public:
  virtual ~run_store() = default;

  // Applies `writes` in order inside one transaction and returns once they
  // are on disk, one outcome per write. A create whose id exists is not an
  // error (see write_status). Fails with errc::storage_failure, in which
  // case nothing of the batch was applied.
  virtual model::result<std::vector<write_outcome>> commit(
      const std::vector<run_write>& writes) = 0;

  // Pipelined commit (the journal's): applies `writes` like commit() but
  // may return before they are on disk. They are durable once a sync() that
  // began after this call returned has returned successfully; until then
  // nobody may be told of them. Readers may already see them. Default:
  // commit() (already durable).
  virtual model::result<std::vector<write_outcome>> commit_unsynced(
      const std::vector<run_write>& writes) {
    return commit(writes);
  }

  // Makes every commit_unsynced() that returned before this call began
  // durable. Safe to call from one other thread while commit_unsynced()
  // runs. Fails with errc::storage_failure (then those commits are not
  // known to be durable). Default: nothing to do.
  virtual model::result<model::done> sync() { return model::done{}; }

  // The run's record with last_seq filled in; nullopt when unknown.
  virtual model::result<std::optional<model::run_record>> load_run(const std::string& id) = 0;

  // The manifest bytes as submitted; nullopt when the run is unknown.
  virtual model::result<std::optional<std::string>> load_manifest(const std::string& id) = 0;

  // The run_definition JSON stored at creation; nullopt when the run is
  // unknown.
  virtual model::result<std::optional<std::string>> load_definition(const std::string& id) = 0;

  // The latest checkpoint JSON of the run; nullopt when none was written.
  virtual model::result<std::optional<std::string>> load_checkpoint(const std::string& id) = 0;

  // The bytes of the run's artifact `name`; nullopt when absent.
  virtual model::result<std::optional<std::string>> load_artifact(const std::string& id,
                                                                  const std::string& name) = 0;

  // The run's artifacts, by name. Empty for an unknown run.
  virtual model::result<std::vector<model::stored_artifact>> list_artifacts(const std::string& id) = 0;

  // Runs newest first (created_at, then id, descending), skipping `offset`,
  // at most `limit`.
  virtual model::result<std::vector<model::run_record>> list_runs(uint64_t offset,
                                                                  uint64_t limit) = 0;

  // Runs newest first like list_runs, from the first one older than the
  // position (created_ms, id) in that order, at most `limit`: keyset
  // paging, each page as cheap as the first however deep the list
  // (created_ms = INT64_MAX starts at the newest run).
  virtual model::result<std::vector<model::run_record>> list_runs_before(int64_t created_ms,
                                                                         const std::string& id,
                                                                         uint64_t limit) = 0;

  // Runs in one of `statuses`, newest first like list_runs, skipping
  // `offset`, at most `limit`.
  virtual model::result<std::vector<model::run_record>> list_runs_in(
      const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) = 0;

  // Envelope JSON texts of the run's events with seq >= since_seq, in seq
  // order, at most `limit`.
  virtual model::result<std::vector<std::string>> list_events(const std::string& id,
                                                              uint64_t since_seq,
                                                              uint64_t limit) = 0;

  // Every run whose status is not terminal, oldest first (for recovery):
  // the executing ones (starting, running, paused) as whole records, the
  // waiting ones (submitted, queued) as index rows only, so a restart with
  // a million waiting runs reads no summary, manifest or event of theirs.
  virtual model::result<unfinished_runs> load_unfinished() = 0;

  // How many runs are stored and the bytes they take. Counts every run
  // (an index scan: for status pages, not for a hot path).
  virtual model::result<store_usage> usage() = 0;

  // The bytes each of `ids` keeps in the store: its manifest, definition,
  // events, checkpoint and artifacts (0 for an unknown id), in order.
  virtual model::result<std::vector<uint64_t>> run_bytes(const std::vector<std::string>& ids) = 0;
};

}  // namespace fabro::store
