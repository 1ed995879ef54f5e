// The PostgreSQL store (issue 18): the same contract as the SQLite store,
// on a database several nodes can share. libpq, no wrapper library: the
// store needs a connection, prepared statements and pipeline mode, which
// libpq offers directly.
//
// Durability: commit() sends a batch's statements in libpq pipeline mode
// with one Sync at the end: the server runs them as one implicit
// transaction and commits at the Sync, so a batch is one round trip and one
// transaction. The connection sets synchronous_commit=on, so the Sync's
// answer arrives only after the COMMIT's WAL record is flushed: returned =
// on disk (and PostgreSQL's own group commit shares flushes between
// sessions). Any failure in a batch rolls all of it back.
//
// commit_unsynced() is the same batch with synchronous_commit=off: it
// returns once the COMMIT's WAL record is written to PostgreSQL's WAL
// buffers, before the flush. sync() commits a one-row update (fabro_sync)
// with synchronous_commit=on on a second connection of its own: a commit
// that wrote WAL and holds an xid flushes the WAL up to its own commit
// record (PostgreSQL's RecordTransactionCommit; a transaction that only
// took an xid would not), which comes after every commit record written
// before it began,
// so every commit_unsynced() that returned before sync() began is on disk
// when it returns (the journal's pipelined group commit, as on SQLite). A
// failed sync is tried once more on a fresh connection (the same reasoning
// holds for it) before it reports failure.
//
// Schema: versioned migrations in `fabro_schema`, applied at open() under
// a transaction-scoped advisory lock, so nodes starting together migrate
// once. A database whose schema is newer than this code is refused
// (errc::store_damaged), changing nothing.
//
// Owned by one actor at a time (one connection each); a writer and readers
// use separate instances. A dropped connection is reset at the next call.
#pragma once

#include <memory>
#include <string>

#include "store/run_store.hpp"

struct pg_conn;
struct pg_result;

namespace fabro::store {

struct pg_params;  // one statement's parameters (pg_run_store.cpp)

class pg_run_store final : public run_store {
 public:
  // Connects to `url` (postgresql://user[:password]@host[:port]/db or a
  // libpq key=value string) and creates or migrates the schema. Fails with
  // errc::storage_failure when the server cannot be reached (the message
  // names the URL without its password), errc::store_damaged when the
  // schema is newer than this server's.
  static model::result<std::unique_ptr<pg_run_store>> open(const std::string& url);
  ~pg_run_store() override;

  // The schema version this code writes.
  static constexpr int kSchemaVersion = 4;

  // `url` with any password replaced by "***" (for logs and /system/info).
  static std::string redacted(const std::string& url);

  // Every later commit first checks that `term` is still the queue
  // authority's (store/pg_authority.hpp) and applies nothing when it is
  // not: a server that lost the authority can change nothing. 0 = no check.
  void fence(uint64_t term) { fence_term_ = term; }

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

 private:
  pg_run_store(pg_conn* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  // A fresh connection when the last one dropped, with the statements
  // prepared again.
  model::result<model::done> ready();
  model::problem failure(const std::string& what) const;
  // Runs the prepared read `name`; text results unless `binary`.
  model::result<std::shared_ptr<pg_result>> read(const char* name, const pg_params& p,
                                                 bool binary = false);
  // The first column of its first row; nullopt when it has no row.
  model::result<std::optional<std::string>> read_value(const char* name, const pg_params& p,
                                                       bool binary = false);
  // Its rows as run records (the statement selects FABRO_RECORD_COLUMNS).
  model::result<std::vector<model::run_record>> read_records(const char* name,
                                                             const pg_params& p);

  // The batch, committed with synchronous_commit on (durable) or off.
  model::result<std::vector<write_outcome>> apply_batch(const std::vector<run_write>& writes,
                                                        bool durable);

  pg_conn* conn_;
  std::string url_;
  uint64_t fence_term_ = 0;
  bool session_durable_ = true;  // conn_'s synchronous_commit
  pg_conn* sync_conn_ = nullptr;  // only sync() touches it
};

}  // namespace fabro::store
