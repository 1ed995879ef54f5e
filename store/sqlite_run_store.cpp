#include "store/sqlite_run_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "model/json_check.hpp"

#include "store/label_codec.hpp"

namespace fabro::store {

using model::done;
using model::errc;
using model::make_problem;
using model::result;
using model::run_record;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  pending_control TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  workflow_name TEXT NOT NULL DEFAULT '',
  goal TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '',
  host_repo_path TEXT NOT NULL DEFAULT '',
  start_ms INTEGER NOT NULL DEFAULT -1,
  duration_ms INTEGER NOT NULL DEFAULT -1,
  queue_seq INTEGER NOT NULL DEFAULT 0,
  manifest BLOB NOT NULL,
  definition TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_newest ON runs(created_ms DESC, id DESC);
DROP INDEX IF EXISTS runs_by_status;
DROP INDEX IF EXISTS runs_unfinished;
CREATE INDEX IF NOT EXISTS runs_recovery ON runs(created_ms, id, status, queue_seq)
  WHERE status NOT IN ('completed','failed','cancelled');
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  run_id TEXT PRIMARY KEY,
  checkpoint TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artifacts (
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
)sql";

constexpr const char* kRecordColumns =
    "id, created_ms, status, reason, pending_control, error, workflow_name, goal, labels, "
    "host_repo_path, start_ms, duration_ms, "
    "(SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = runs.id), queue_seq";

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

// Binds without a copy: `s` must outlive the statement's next step.
void bind_static(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* st, int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, i))) : std::string();
}

// Rolls the transaction back unless dismissed, so no error path leaves one open.
struct rollback_guard {
  sqlite3* db;
  bool active = true;
  ~rollback_guard() {
    if (active) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
};

}  // namespace

namespace {

// The schema this code writes (PRAGMA user_version). 0 = a store of the
// seed era, written before versions were kept: same tables, stamped 1 once
// checked. Add a migration step below with each new version.
constexpr int kSchemaVersion = 1;

// The columns each table must have (the rest of kSchema is indexes).
const std::vector<std::pair<const char*, std::vector<const char*>>> kRequiredColumns = {
    {"runs", {"id", "created_ms", "status", "reason", "pending_control", "error", "workflow_name",
              "goal", "labels", "host_repo_path", "start_ms", "duration_ms", "queue_seq",
              "manifest", "definition"}},
    {"events", {"run_id", "seq", "envelope"}},
    {"checkpoints", {"run_id", "checkpoint"}},
    {"artifacts", {"run_id", "name", "data"}},
};

model::problem damaged(const std::string& path, const std::string& why) {
  return make_problem(errc::store_damaged,
                      "refusing the store " + path + ": " + why +
                          ". Move it aside to start with an empty store, or restore it from a "
                          "backup.");
}

// One integer from a one-row query; nullopt on error.
std::optional<int64_t> query_int(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return std::nullopt;
  std::optional<int64_t> v;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

// The required columns `table` lacks (all of them when it is missing).
std::vector<std::string> missing_columns(sqlite3* db, const char* table,
                                         const std::vector<const char*>& required) {
  std::vector<std::string> have;
  sqlite3_stmt* st = nullptr;
  auto sql = std::string("PRAGMA table_info(") + table + ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) have.push_back(column_text(st, 1));
  sqlite3_finalize(st);
  std::vector<std::string> missing;
  for (const char* c : required)
    if (std::find(have.begin(), have.end(), c) == have.end()) missing.emplace_back(c);
  return missing;
}

// Refuses what is not a run store of a version this code reads.
std::optional<model::problem> check_schema(sqlite3* db, const std::string& path, int version) {
  if (version > kSchemaVersion)
    return damaged(path, "its schema version " + std::to_string(version) +
                             " is newer than this server's (" + std::to_string(kSchemaVersion) +
                             ")");
  for (const auto& [table, columns] : kRequiredColumns) {
    auto missing = missing_columns(db, table, columns);
    if (missing.size() == columns.size())
      return damaged(path, std::string("it has no table '") + table +
                               "' (not a store this server wrote)");
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      return damaged(path, std::string("table '") + table + "' lacks column(s) " + list);
    }
  }
  return std::nullopt;
}

}  // namespace

result<std::unique_ptr<sqlite_run_store>> sqlite_run_store::open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec)
    return damaged(path, "it is empty (0 bytes), so every run it held is gone");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_problem(errc::storage_failure, "cannot open store " + path + ": " + msg);
  }
  std::unique_ptr<sqlite_run_store> store(new sqlite_run_store(db, path));
  sqlite3_busy_timeout(db, 5000);
  auto version = query_int(db, "PRAGMA user_version");
  auto tables = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table'");
  if (!version || !tables) {
    if (sqlite3_errcode(db) == SQLITE_NOTADB)
      return damaged(path, "it is not a SQLite database");
    return store->failure("cannot read store " + path);
  }
  bool fresh = *tables == 0 && *version == 0;
  if (!fresh)
    if (auto bad = check_schema(db, path, static_cast<int>(*version))) return *bad;
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                          "PRAGMA foreign_keys=OFF", kSchema}) {
    auto r = store->exec(sql);
    if (!r) return make_problem(errc::storage_failure, path + ": " + r.error().detail);
  }
  if (*version < kSchemaVersion) {
    // Migrations: 0 -> 1 only stamps the version (the tables were checked).
    auto stamp = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
    if (auto r = store->exec(stamp.c_str()); !r)
      return make_problem(errc::storage_failure, path + ": " + r.error().detail);
  }
  return store;
}

sqlite_run_store::~sqlite_run_store() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  checkpointer_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
  sqlite3_close(db_);
}

model::problem sqlite_run_store::failure(const std::string& what) const {
  return make_problem(errc::storage_failure, what + ": " + sqlite3_errmsg(db_));
}

result<done> sqlite_run_store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_problem(errc::storage_failure, msg);
  }
  return done{};
}

result<sqlite3_stmt*> sqlite_run_store::prepare(const char* sql) {
  for (auto& [text, st] : statements_) {
    if (text == sql) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      return st;
    }
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) return failure("prepare");
  statements_.emplace_back(sql, st);
  return st;
}

result<done> sqlite_run_store::insert_events(const std::vector<model::run_event>& events,
                                             const std::vector<std::string>& envelopes) {
  static const char* sql = "INSERT OR REPLACE INTO events(run_id, seq, envelope) VALUES(?,?,?)";
  bool rendered = envelopes.size() == events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    auto st = prepare(sql);
    if (!st) return st.error();
    bind_static(*st, 1, e.run_id);
    sqlite3_bind_int64(*st, 2, static_cast<sqlite3_int64>(e.seq));
    std::string envelope = rendered ? std::string() : model::envelope_json(e);
    bind_static(*st, 3, rendered ? envelopes[i] : envelope);
    if (sqlite3_step(*st) != SQLITE_DONE) return failure("append event");
  }
  return done{};
}

result<bool> sqlite_run_store::write_record(const run_record& r, bool insert,
                                            const run_write* create) {
  static const char* insert_sql =
      "INSERT INTO runs(status, reason, pending_control, error, workflow_name, goal, labels, "
      "host_repo_path, start_ms, duration_ms, queue_seq, id, created_ms, manifest, "
      "definition) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING";
  static const char* update_sql =
      "UPDATE runs SET status=?, reason=?, pending_control=?, error=?, workflow_name=?, "
      "goal=?, labels=?, host_repo_path=?, start_ms=?, duration_ms=?, queue_seq=? WHERE id=?";
  auto st = prepare(insert ? insert_sql : update_sql);
  if (!st) return st.error();
  bind_text(*st, 1, model::to_string(r.status));
  bind_text(*st, 2, model::to_string(r.reason));
  bind_text(*st, 3, model::to_string(r.pending_control));
  bind_static(*st, 4, r.error_message);
  bind_static(*st, 5, r.workflow_name);
  bind_static(*st, 6, r.goal);
  bind_text(*st, 7, encode_labels(r.labels));
  bind_static(*st, 8, r.host_repo_path);
  sqlite3_bind_int64(*st, 9, r.start_time_ms);
  sqlite3_bind_int64(*st, 10, r.duration_ms);
  sqlite3_bind_int64(*st, 11, static_cast<sqlite3_int64>(r.queue_seq));
  bind_static(*st, 12, r.id);
  if (insert) {
    sqlite3_bind_int64(*st, 13, r.created_at_ms);
    sqlite3_bind_blob(*st, 14, create->manifest_bytes.data(),
                      static_cast<int>(create->manifest_bytes.size()), SQLITE_STATIC);
    bind_static(*st, 15, create->definition);
  }
  if (sqlite3_step(*st) != SQLITE_DONE) return failure(insert ? "insert run" : "update run");
  // A create that found the id taken changed nothing (ON CONFLICT DO NOTHING).
  if (insert && sqlite3_changes(db_) == 0) return false;
  return true;
}

result<write_outcome> sqlite_run_store::apply(const run_write& w) {
  write_outcome o;
  switch (w.kind) {
    case write_kind::create: {
      // Insert first: a taken id is the rare case, so only then is the
      // stored run read.
      auto inserted = write_record(w.record, true, &w);
      if (!inserted) return inserted.error();
      if (!*inserted) {
        auto manifest = load_manifest(w.record.id);
        if (!manifest) return manifest.error();
        o.status = *manifest && **manifest == w.manifest_bytes ? write_status::existing
                                                               : write_status::conflict;
        auto existing = load_run(w.record.id);
        if (!existing) return existing.error();
        if (*existing) o.existing = **existing;
        return o;
      }
      if (auto r = insert_events(w.events, w.envelopes); !r) return r.error();
      return o;
    }
    case write_kind::update:
      if (auto r = write_record(w.record, false, nullptr); !r) return r.error();
      return o;
    case write_kind::append:
      if (auto r = insert_events(w.events, w.envelopes); !r) return r.error();
      return o;
    case write_kind::remove:
      for (const char* sql : {"DELETE FROM events WHERE run_id=?",
                              "DELETE FROM checkpoints WHERE run_id=?",
                              "DELETE FROM artifacts WHERE run_id=?", "DELETE FROM runs WHERE id=?"}) {
        auto st = prepare(sql);
        if (!st) return st.error();
        bind_text(*st, 1, w.record.id);
        if (sqlite3_step(*st) != SQLITE_DONE) return failure("delete run");
      }
      return o;
    case write_kind::checkpoint: {
      auto st = prepare("INSERT OR REPLACE INTO checkpoints(run_id, checkpoint) VALUES(?,?)");
      if (!st) return st.error();
      bind_text(*st, 1, w.record.id);
      bind_text(*st, 2, w.payload);
      if (sqlite3_step(*st) != SQLITE_DONE) return failure("write checkpoint");
      return o;
    }
    case write_kind::artifact: {
      auto st = prepare("INSERT OR REPLACE INTO artifacts(run_id, name, data) VALUES(?,?,?)");
      if (!st) return st.error();
      bind_text(*st, 1, w.record.id);
      bind_text(*st, 2, w.name);
      sqlite3_bind_blob(*st, 3, w.payload.data(), static_cast<int>(w.payload.size()),
                        SQLITE_TRANSIENT);
      if (sqlite3_step(*st) != SQLITE_DONE) return failure("write artifact");
      return o;
    }
  }
  return o;
}

uint64_t sqlite_run_store::checkpoints() const {
  return checkpointer_ ? checkpointer_->completed() : 0;
}

result<std::vector<write_outcome>> sqlite_run_store::commit(const std::vector<run_write>& writes) {
  auto out = commit_unsynced(writes);
  if (!out) return out;
  if (auto synced = sync(); !synced) return synced.error();
  return out;
}

result<done> sqlite_run_store::sync() {
  auto fail = [&](const char* what) {
    return make_problem(errc::storage_failure,
                        std::string(what) + " " + path_ + "-wal: " + std::strerror(errno));
  };
  std::string wal = path_ + "-wal";
  struct stat named{}, held{};
  if (::stat(wal.c_str(), &named) != 0) {
    // No WAL yet: nothing was ever committed through it.
    if (errno == ENOENT) return done{};
    return fail("cannot stat");
  }
  if (wal_fd_ >= 0 && (::fstat(wal_fd_, &held) != 0 || held.st_ino != named.st_ino ||
                       held.st_dev != named.st_dev)) {
    ::close(wal_fd_);  // SQLite made a new WAL file (all of the old one was checkpointed)
    wal_fd_ = -1;
  }
  if (wal_fd_ < 0) {
    wal_fd_ = ::open(wal.c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ < 0) return fail("cannot open");
    // The WAL's directory entry must be durable too.
    auto dir = std::filesystem::path(path_).parent_path().string();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return fail("cannot open the directory of");
    int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return fail("cannot sync the directory of");
  }
  if (::fdatasync(wal_fd_) != 0) return fail("cannot sync");
  return done{};
}

result<std::vector<write_outcome>> sqlite_run_store::commit_unsynced(
    const std::vector<run_write>& writes) {
  if (!checkpointer_) {
    // This instance writes: checkpoints move to their own thread (the hook
    // replaces SQLite's auto-checkpoint on this connection).
    checkpointer_ = std::make_unique<wal_checkpointer>(path_);
    sqlite3_wal_hook(
        db_,
        [](void* c, sqlite3* db, const char*, int pages) {
          auto* checkpointer = static_cast<wal_checkpointer*>(c);
          if (checkpointer->nudge(pages)) checkpointer->checkpoint_inline(db);
          return SQLITE_OK;
        },
        checkpointer_.get());
  }
  if (auto r = exec("BEGIN IMMEDIATE"); !r) return r.error();
  rollback_guard guard{db_};
  std::vector<write_outcome> out;
  out.reserve(writes.size());
  for (const auto& w : writes) {
    auto o = apply(w);
    if (!o) return o.error();
    out.push_back(std::move(*o));
  }
  if (auto r = exec("COMMIT"); !r) return r.error();
  guard.active = false;
  return out;
}

result<std::vector<run_record>> sqlite_run_store::select_records(sqlite3_stmt* st) {
  std::vector<run_record> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    run_record r;
    r.id = column_text(st, 0);
    r.created_at_ms = sqlite3_column_int64(st, 1);
    auto status = model::parse_run_status(column_text(st, 2));
    if (!status)
      return make_problem(errc::store_damaged, "Stored run " + r.id + " has an unknown status '" +
                                                   column_text(st, 2) + "'.");
    r.status = *status;
    r.reason = model::parse_status_reason(column_text(st, 3)).value_or(model::status_reason::none);
    r.pending_control =
        model::parse_control_action(column_text(st, 4)).value_or(model::control_action::none);
    r.error_message = column_text(st, 5);
    r.workflow_name = column_text(st, 6);
    r.goal = column_text(st, 7);
    r.labels = decode_labels(column_text(st, 8));
    r.host_repo_path = column_text(st, 9);
    r.start_time_ms = sqlite3_column_int64(st, 10);
    r.duration_ms = sqlite3_column_int64(st, 11);
    r.last_seq = static_cast<uint64_t>(sqlite3_column_int64(st, 12));
    r.queue_seq = static_cast<uint64_t>(sqlite3_column_int64(st, 13));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return failure("read runs");
  return out;
}

result<std::optional<run_record>> sqlite_run_store::load_run(const std::string& id) {
  static const std::string sql = std::string("SELECT ") + kRecordColumns + " FROM runs WHERE id=?";
  auto st = prepare(sql.c_str());
  if (!st) return st.error();
  bind_text(*st, 1, id);
  auto rows = select_records(*st);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<run_record>{};
  return std::optional<run_record>{std::move(rows->front())};
}

result<std::optional<std::string>> sqlite_run_store::load_manifest(const std::string& id) {
  auto st = prepare("SELECT manifest FROM runs WHERE id=?");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  int rc = sqlite3_step(*st);
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return failure("read manifest");
  auto* p = static_cast<const char*>(sqlite3_column_blob(*st, 0));
  std::string bytes(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(*st, 0)));
  sqlite3_reset(*st);
  return std::optional<std::string>{std::move(bytes)};
}

result<std::optional<std::string>> sqlite_run_store::load_definition(const std::string& id) {
  auto st = prepare("SELECT definition FROM runs WHERE id=?");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  int rc = sqlite3_step(*st);
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return failure("read definition");
  std::string text = column_text(*st, 0);
  sqlite3_reset(*st);
  return std::optional<std::string>{std::move(text)};
}

result<std::optional<std::string>> sqlite_run_store::load_checkpoint(const std::string& id) {
  auto st = prepare("SELECT checkpoint FROM checkpoints WHERE run_id=?");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  int rc = sqlite3_step(*st);
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return failure("read checkpoint");
  std::string text = column_text(*st, 0);
  sqlite3_reset(*st);
  return std::optional<std::string>{std::move(text)};
}

result<std::optional<std::string>> sqlite_run_store::load_artifact(const std::string& id,
                                                                   const std::string& name) {
  auto st = prepare("SELECT data FROM artifacts WHERE run_id=? AND name=?");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  bind_text(*st, 2, name);
  int rc = sqlite3_step(*st);
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return failure("read artifact");
  auto* p = static_cast<const char*>(sqlite3_column_blob(*st, 0));
  std::string bytes(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(*st, 0)));
  sqlite3_reset(*st);
  return std::optional<std::string>{std::move(bytes)};
}

result<std::vector<model::stored_artifact>> sqlite_run_store::list_artifacts(const std::string& id) {
  auto st = prepare("SELECT name, length(data) FROM artifacts WHERE run_id=? ORDER BY name");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  std::vector<model::stored_artifact> out;
  int rc;
  while ((rc = sqlite3_step(*st)) == SQLITE_ROW)
    out.push_back({column_text(*st, 0), static_cast<uint64_t>(sqlite3_column_int64(*st, 1))});
  sqlite3_reset(*st);
  if (rc != SQLITE_DONE) return failure("list artifacts");
  return out;
}

result<std::vector<run_record>> sqlite_run_store::list_runs(uint64_t offset, uint64_t limit) {
  static const std::string sql = std::string("SELECT ") + kRecordColumns +
                                 " FROM runs ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?";
  auto st = prepare(sql.c_str());
  if (!st) return st.error();
  sqlite3_bind_int64(*st, 1, static_cast<sqlite3_int64>(limit));
  sqlite3_bind_int64(*st, 2, static_cast<sqlite3_int64>(offset));
  return select_records(*st);
}

result<std::vector<run_record>> sqlite_run_store::list_runs_before(int64_t created_ms,
                                                                   const std::string& id,
                                                                   uint64_t limit) {
  // A row value comparison SQLite answers from runs_newest, no sort.
  static const std::string sql = std::string("SELECT ") + kRecordColumns +
                                 " FROM runs WHERE (created_ms, id) < (?, ?)"
                                 " ORDER BY created_ms DESC, id DESC LIMIT ?";
  auto st = prepare(sql.c_str());
  if (!st) return st.error();
  sqlite3_bind_int64(*st, 1, static_cast<sqlite3_int64>(created_ms));
  bind_text(*st, 2, id);
  sqlite3_bind_int64(*st, 3, static_cast<sqlite3_int64>(limit));
  return select_records(*st);
}

result<std::vector<run_record>> sqlite_run_store::list_runs_in(
    const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) {
  if (statuses.empty()) return std::vector<run_record>{};
  std::string marks;
  for (size_t i = 0; i < statuses.size(); ++i) marks += i ? ",?" : "?";
  auto sql = std::string("SELECT ") + kRecordColumns + " FROM runs WHERE status IN (" + marks +
             ") ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?";
  auto st = prepare(sql.c_str());
  if (!st) return st.error();
  int i = 1;
  for (auto s : statuses) bind_text(*st, i++, model::to_string(s));
  sqlite3_bind_int64(*st, i++, static_cast<sqlite3_int64>(limit));
  sqlite3_bind_int64(*st, i, static_cast<sqlite3_int64>(offset));
  return select_records(*st);
}

result<store_usage> sqlite_run_store::usage() {
  auto st = prepare("SELECT COUNT(*) FROM runs");
  if (!st) return st.error();
  if (sqlite3_step(*st) != SQLITE_ROW) return failure("count runs");
  store_usage u;
  u.engine = "sqlite";
  u.location = path_;
  u.runs = static_cast<uint64_t>(sqlite3_column_int64(*st, 0));
  sqlite3_reset(*st);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat file;
    if (::stat((path_ + suffix).c_str(), &file) == 0) u.bytes += static_cast<uint64_t>(file.st_size);
  }
  return u;
}

result<std::vector<uint64_t>> sqlite_run_store::run_bytes(const std::vector<std::string>& ids) {
  auto st = prepare(
      "SELECT (SELECT length(manifest) + length(definition) FROM runs WHERE id=?1),"
      " (SELECT total(length(envelope)) FROM events WHERE run_id=?1),"
      " (SELECT total(length(checkpoint)) FROM checkpoints WHERE run_id=?1),"
      " (SELECT total(length(data)) FROM artifacts WHERE run_id=?1)");
  if (!st) return st.error();
  std::vector<uint64_t> out;
  for (const auto& id : ids) {
    bind_text(*st, 1, id);
    if (sqlite3_step(*st) != SQLITE_ROW) {
      sqlite3_reset(*st);
      return failure("run bytes");
    }
    if (sqlite3_column_type(*st, 0) == SQLITE_NULL) {
      out.push_back(0);  // no such run
    } else {
      uint64_t n = static_cast<uint64_t>(sqlite3_column_int64(*st, 0));
      for (int c = 1; c < 4; ++c) n += static_cast<uint64_t>(sqlite3_column_double(*st, c));
      out.push_back(n);
    }
    sqlite3_reset(*st);
  }
  return out;
}

result<std::vector<std::string>> sqlite_run_store::list_events(const std::string& id,
                                                               uint64_t since_seq,
                                                               uint64_t limit) {
  auto st = prepare("SELECT envelope, seq FROM events WHERE run_id=? AND seq>=? ORDER BY seq LIMIT ?");
  if (!st) return st.error();
  bind_text(*st, 1, id);
  sqlite3_bind_int64(*st, 2, static_cast<sqlite3_int64>(since_seq));
  sqlite3_bind_int64(*st, 3, static_cast<sqlite3_int64>(limit));
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(*st)) == SQLITE_ROW) {
    out.push_back(column_text(*st, 0));
    if (!model::is_json_object(out.back()))
      return make_problem(errc::store_damaged,
                          "Stored event " + std::to_string(sqlite3_column_int64(*st, 1)) +
                              " of run " + id + " is damaged (not a JSON object).");
  }
  if (rc != SQLITE_DONE) return failure("read events");
  return out;
}

result<unfinished_runs> sqlite_run_store::load_unfinished() {
  // The covering partial index runs_recovery, in creation order: no row of
  // the table itself is read.
  auto st = prepare(kUnfinishedQuery);
  if (!st) return st.error();
  unfinished_runs out;
  std::vector<std::string> executing;
  int rc;
  while ((rc = sqlite3_step(*st)) == SQLITE_ROW) {
    waiting_row row;
    row.id = column_text(*st, 0);
    auto text = reinterpret_cast<const char*>(sqlite3_column_text(*st, 1));
    auto status = model::parse_run_status(text ? text : "");
    if (!status)
      return make_problem(errc::store_damaged, "Stored run " + row.id +
                                                   " has an unknown status '" +
                                                   (text ? text : "") + "'.");
    row.status = *status;
    row.queue_seq = static_cast<uint64_t>(sqlite3_column_int64(*st, 2));
    if (row.status == model::run_status::submitted || row.status == model::run_status::queued)
      out.waiting.push_back(std::move(row));
    else
      executing.push_back(std::move(row.id));
  }
  if (rc != SQLITE_DONE) return failure("read unfinished runs");
  for (const auto& id : executing) {
    auto r = load_run(id);
    if (!r) return r.error();
    if (*r) out.executing.push_back(std::move(**r));
  }
  return out;
}

}  // namespace fabro::store
