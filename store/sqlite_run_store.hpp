// The embedded default store: one SQLite file in WAL mode with
// synchronous=NORMAL: a COMMIT writes the transaction's frames to the
// `-wal` file without waiting for the disk; sync() makes them durable with
// fdatasync() on a second descriptor of that file (DESIGN §5). Every frame
// of a COMMIT that returned is in the WAL file's page cache (SQLite writes
// it with pwrite, no user-space buffer), so an fdatasync that begins after
// the COMMIT returned puts it on disk; the database file itself is written
// only by checkpoints, which under synchronous=NORMAL sync the WAL before
// and the database after copying, so nothing committed lives only in a
// file we do not sync. commit() is commit_unsynced() + sync(): returned =
// on disk, as before.
//
// Owned by one actor (the journal owns the writing instance; readers open
// their own instance on the same file). Not thread-safe by itself, except
// that sync() may run on one other thread while commit_unsynced() runs (it
// touches only its own descriptor).
#pragma once

#include <memory>
#include <string>

#include "store/run_store.hpp"
#include "store/wal_checkpointer.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace fabro::store {

class sqlite_run_store final : public run_store {
 public:
  // Opens (creating if needed) the database at `path` and its schema; a
  // store of the seed era (user_version 0, our tables) is checked and
  // stamped with the current schema version. Fails with errc::store_damaged
  // (naming the path and why) for a file that is empty, not SQLite, lacks
  // a table or column, or has a newer schema version — nothing is changed
  // then; with errc::storage_failure when SQLite cannot open or write it.
  // Reads fail with errc::store_damaged for a stored event that is not a
  // JSON object or a run whose status is unknown.
  static model::result<std::unique_ptr<sqlite_run_store>> open(const std::string& path);
  ~sqlite_run_store() override;

  // The recovery query of load_unfinished(): it reads only the covering
  // partial index runs_recovery (tests check the plan), no table row.
  static constexpr const char* kUnfinishedQuery =
      "SELECT id, status, queue_seq FROM runs"
      " WHERE status NOT IN ('completed','failed','cancelled') ORDER BY created_ms, id";

  model::result<std::vector<write_outcome>> commit(const std::vector<run_write>& writes) override;
  model::result<std::vector<write_outcome>> commit_unsynced(
      const std::vector<run_write>& writes) override;
  model::result<model::done> sync() override;
  model::result<std::optional<model::run_record>> load_run(const std::string& id) override;
  model::result<std::optional<std::string>> load_manifest(const std::string& id) override;
  model::result<std::optional<std::string>> load_definition(const std::string& id) override;
  model::result<std::optional<std::string>> load_checkpoint(const std::string& id) override;
  model::result<std::optional<std::string>> load_artifact(const std::string& id,
                                                          const std::string& name) override;
  model::result<std::vector<model::stored_artifact>> list_artifacts(const std::string& id) override;
  model::result<std::vector<model::run_record>> list_runs(uint64_t offset,
                                                          uint64_t limit) override;
  model::result<std::vector<model::run_record>> list_runs_before(int64_t created_ms,
                                                                 const std::string& id,
                                                                 uint64_t limit) override;
  model::result<std::vector<model::run_record>> list_runs_in(
      const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) override;
  model::result<std::vector<std::string>> list_events(const std::string& id,
                                                      uint64_t since_seq,
                                                      uint64_t limit) override;
  model::result<unfinished_runs> load_unfinished() override;
  model::result<store_usage> usage() override;
  model::result<std::vector<uint64_t>> run_bytes(const std::vector<std::string>& ids) override;

  // Checkpoints run off the commit path so far (tests).
  uint64_t checkpoints() const;

 private:
  sqlite_run_store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  model::problem failure(const std::string& what) const;
  model::result<model::done> exec(const char* sql);
  // A cached prepared statement for `sql`, reset and ready to bind.
  model::result<sqlite3_stmt*> prepare(const char* sql);
  model::result<write_outcome> apply(const run_write& w);
  // `envelopes`: the events' envelope_json, or empty to render them here.
  model::result<model::done> insert_events(const std::vector<model::run_event>& events,
                                           const std::vector<std::string>& envelopes);
  // false when `insert` found the id taken (nothing written).
  model::result<bool> write_record(const model::run_record& r, bool insert,
                                          const run_write* create);
  model::result<std::vector<model::run_record>> select_records(sqlite3_stmt* st);

  sqlite3* db_;
  std::string path_;
  // Started by the first commit (a reading instance never has one).
  std::unique_ptr<wal_checkpointer> checkpointer_;
  int wal_fd_ = -1;  // sync()'s own descriptor of the -wal file; only sync() touches it
  std::vector<std::pair<const char*, sqlite3_stmt*>> statements_;
};

}  // namespace fabro::store
