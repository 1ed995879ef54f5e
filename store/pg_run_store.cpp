#include "store/pg_run_store.hpp"

#include <libpq-fe.h>
#include <simdjson.h>

#include <cstdlib>
#include <deque>
#include <memory>

#include "model/json_check.hpp"
#include "store/label_codec.hpp"

namespace fabro::store {

using model::done;
using model::errc;
using model::make_problem;
using model::result;
using model::run_record;

namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Append,
// never edit: a database remembers which ones it ran (fabro_schema). Ids
// and names sort bytewise (COLLATE "C"), as in the SQLite store.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE runs (
  id text COLLATE "C" PRIMARY KEY,
  created_ms bigint NOT NULL,
  status text NOT NULL,
  reason text NOT NULL DEFAULT '',
  pending_control text NOT NULL DEFAULT '',
  error text NOT NULL DEFAULT '',
  workflow_name text NOT NULL DEFAULT '',
  goal text NOT NULL DEFAULT '',
  labels text NOT NULL DEFAULT '',
  host_repo_path text NOT NULL DEFAULT '',
  start_ms bigint NOT NULL DEFAULT -1,
  duration_ms bigint NOT NULL DEFAULT -1,
  queue_seq bigint NOT NULL DEFAULT 0,
  manifest bytea NOT NULL,
  definition text NOT NULL DEFAULT ''
);
CREATE INDEX runs_newest ON runs(created_ms DESC, id DESC);
CREATE INDEX runs_recovery ON runs(created_ms, id) INCLUDE (status, queue_seq)
  WHERE status NOT IN ('completed','failed','cancelled');
CREATE TABLE events (
  run_id text COLLATE "C" NOT NULL,
  seq bigint NOT NULL,
  envelope text NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE checkpoints (
  run_id text COLLATE "C" PRIMARY KEY,
  checkpoint text NOT NULL
);
CREATE TABLE artifacts (
  run_id text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (run_id, name)
);
)sql",
    // 2: the queue authority's term and the nodes sharing the store
    // (store/pg_authority.hpp), and the fence every commit of a fenced
    // store runs first.
    R"sql(
CREATE TABLE fabro_authority (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  term bigint NOT NULL,
  node_id text NOT NULL,
  since_ms bigint NOT NULL
);
CREATE TABLE fabro_nodes (
  id text COLLATE "C" PRIMARY KEY,
  address text NOT NULL DEFAULT '',
  heartbeat_ms bigint NOT NULL,
  started_ms bigint NOT NULL
);
CREATE FUNCTION fabro_fence(t bigint) RETURNS void LANGUAGE plpgsql AS $fence$
BEGIN
  -- FOR SHARE: a term bump waits for this transaction, and this one for it.
  PERFORM 1 FROM fabro_authority WHERE term = t FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fenced: term % is no longer the authority''s', t;
  END IF;
END $fence$;
)sql",
    // 3: the row sync() updates: a WAL-logged write, so that its
    // synchronous commit flushes the WAL (a transaction that only took an
    // xid commits without a flush).
    R"sql(
CREATE TABLE fabro_sync (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n bigint NOT NULL
);
INSERT INTO fabro_sync(n) VALUES (0);
)sql",
    // 4: where the authority's CAF endpoint listens (the other nodes send
    // it their requests), published once the term is taken; how many runs
    // each node executes at once.
    R"sql(
ALTER TABLE fabro_authority ADD COLUMN endpoint text NOT NULL DEFAULT '';
ALTER TABLE fabro_nodes ADD COLUMN slots bigint NOT NULL DEFAULT 0;
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == pg_run_store::kSchemaVersion,
              "one migration per schema version");

// Held for the migration's transaction: nodes starting at once take turns.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7336420180001)";

#define FABRO_RECORD_COLUMNS                                                                  \
  "id, created_ms, status, reason, pending_control, error, workflow_name, goal, labels, "      \
  "host_repo_path, start_ms, duration_ms, "                                                   \
  "COALESCE((SELECT MAX(seq) FROM events WHERE run_id = runs.id), 0), queue_seq"

// Every statement, prepared on each connection under its name.
const std::pair<const char*, const char*> kStatements[] = {
    {"fence", "SELECT fabro_fence($1)"},
    {"create",
     "WITH ins AS (INSERT INTO runs(status, reason, pending_control, error, workflow_name, goal,"
     " labels, host_repo_path, start_ms, duration_ms, queue_seq, id, created_ms, manifest,"
     " definition) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
     " ON CONFLICT (id) DO NOTHING RETURNING id),"
     " ev AS (INSERT INTO events(run_id, seq, envelope) SELECT ins.id, e.seq, e.envelope"
     " FROM ins, unnest($16::bigint[], $17::text[]) AS e(seq, envelope))"
     " SELECT count(*) FROM ins"},
    {"update",
     "UPDATE runs SET status=$1, reason=$2, pending_control=$3, error=$4, workflow_name=$5,"
     " goal=$6, labels=$7, host_repo_path=$8, start_ms=$9, duration_ms=$10, queue_seq=$11"
     " WHERE id=$12"},
    {"append",
     "INSERT INTO events(run_id, seq, envelope) SELECT $1, e.seq, e.envelope"
     " FROM unnest($2::bigint[], $3::text[]) AS e(seq, envelope)"
     " ON CONFLICT (run_id, seq) DO UPDATE SET envelope = excluded.envelope"},
    {"remove",
     "WITH a AS (DELETE FROM events WHERE run_id=$1), b AS (DELETE FROM checkpoints WHERE"
     " run_id=$1), c AS (DELETE FROM artifacts WHERE run_id=$1) DELETE FROM runs WHERE id=$1"},
    {"put_checkpoint",
     "INSERT INTO checkpoints(run_id, checkpoint) VALUES($1,$2)"
     " ON CONFLICT (run_id) DO UPDATE SET checkpoint = excluded.checkpoint"},
    {"put_artifact",
     "INSERT INTO artifacts(run_id, name, data) VALUES($1,$2,$3)"
     " ON CONFLICT (run_id, name) DO UPDATE SET data = excluded.data"},
    {"load_run", "SELECT " FABRO_RECORD_COLUMNS " FROM runs WHERE id=$1"},
    {"manifest", "SELECT manifest FROM runs WHERE id=$1"},
    {"definition", "SELECT definition FROM runs WHERE id=$1"},
    {"checkpoint", "SELECT checkpoint FROM checkpoints WHERE run_id=$1"},
    {"artifact", "SELECT data FROM artifacts WHERE run_id=$1 AND name=$2"},
    {"artifacts",
     "SELECT name, octet_length(data) FROM artifacts WHERE run_id=$1 ORDER BY name"},
    {"list",
     "SELECT " FABRO_RECORD_COLUMNS
     " FROM runs ORDER BY created_ms DESC, id DESC LIMIT $1 OFFSET $2"},
    {"list_before",
     "SELECT " FABRO_RECORD_COLUMNS
     " FROM runs WHERE (created_ms, id) < ($1, $2) ORDER BY created_ms DESC, id DESC LIMIT $3"},
    {"list_in",
     "SELECT " FABRO_RECORD_COLUMNS
     " FROM runs WHERE status = ANY($1::text[]) ORDER BY created_ms DESC, id DESC"
     " LIMIT $2 OFFSET $3"},
    {"events",
     "SELECT envelope, seq FROM events WHERE run_id=$1 AND seq>=$2 ORDER BY seq LIMIT $3"},
    {"unfinished",
     "SELECT id, status, queue_seq FROM runs"
     " WHERE status NOT IN ('completed','failed','cancelled') ORDER BY created_ms, id"},
    {"usage",
     "SELECT (SELECT count(*) FROM runs), pg_total_relation_size('runs')"
     " + pg_total_relation_size('events') + pg_total_relation_size('checkpoints')"
     " + pg_total_relation_size('artifacts')"},
    {"run_bytes",
     "SELECT (SELECT octet_length(manifest) + octet_length(definition) FROM runs WHERE id=$1),"
     " (SELECT COALESCE(sum(octet_length(envelope)), 0) FROM events WHERE run_id=$1),"
     " (SELECT COALESCE(sum(octet_length(checkpoint)), 0) FROM checkpoints WHERE run_id=$1),"
     " (SELECT COALESCE(sum(octet_length(data)), 0) FROM artifacts WHERE run_id=$1)"},
};

using owned_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// `s` with every byte that is not part of a valid UTF-8 sequence replaced
// by U+FFFD: a UTF8 database refuses invalid text, and a command's output
// quoted in an event or an error may hold any bytes (bytea columns keep
// bytes exactly: manifests, artifacts).
std::string repaired_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n > 0 && i + n <= s.size() && simdjson::validate_utf8(s.data() + i, n)) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

// The parameters of one statement. Text values must stay NUL-terminated,
// so they point into std::strings that outlive the call.
struct pg_params {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  std::deque<std::string> owned;

  pg_params& text(const std::string& s) {
    if (!simdjson::validate_utf8(s.data(), s.size())) return own(repaired_utf8(s));
    values.push_back(s.c_str());
    lengths.push_back(static_cast<int>(s.size()));
    formats.push_back(0);
    return *this;
  }
  pg_params& own(std::string s) {
    owned.push_back(std::move(s));
    const std::string& kept = owned.back();
    if (!simdjson::validate_utf8(kept.data(), kept.size())) {
      owned.back() = repaired_utf8(kept);
    }
    values.push_back(owned.back().c_str());
    lengths.push_back(static_cast<int>(owned.back().size()));
    formats.push_back(0);
    return *this;
  }
  pg_params& num(int64_t v) { return own(std::to_string(v)); }
  pg_params& bytes(const std::string& s) {  // bytea, sent as is (binary format)
    values.push_back(s.data());
    lengths.push_back(static_cast<int>(s.size()));
    formats.push_back(1);
    return *this;
  }
  int size() const { return static_cast<int>(values.size()); }
};

namespace {

using params = pg_params;

// A PostgreSQL array literal of text values: {"a","b\"c"}.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// The events of a create or append as the arrays $seqs and $envelopes.
void event_arrays(params& p, const run_write& w) {
  std::string seqs = "{";
  std::vector<std::string> rendered;
  bool given = w.envelopes.size() == w.events.size();
  for (size_t i = 0; i < w.events.size(); ++i) {
    if (i) seqs += ',';
    seqs += std::to_string(w.events[i].seq);
    if (!given) rendered.push_back(model::envelope_json(w.events[i]));
  }
  p.own(seqs + "}");
  p.own(text_array(given ? w.envelopes : rendered));
}

// $1..$12 of create and update: the record's mutable fields, then its id.
void record_params(params& p, const run_record& r) {
  p.own(model::to_string(r.status))
      .own(model::to_string(r.reason))
      .own(model::to_string(r.pending_control))
      .text(r.error_message)
      .text(r.workflow_name)
      .text(r.goal)
      .own(encode_labels(r.labels))
      .text(r.host_repo_path)
      .num(r.start_time_ms)
      .num(r.duration_ms)
      .num(static_cast<int64_t>(r.queue_seq))
      .text(r.id);
}

// The one statement that applies `w`, with its parameters.
const char* statement_for(const run_write& w, params& p) {
  switch (w.kind) {
    case write_kind::create:
      record_params(p, w.record);
      p.num(w.record.created_at_ms).bytes(w.manifest_bytes).text(w.definition);
      event_arrays(p, w);
      return "create";
    case write_kind::update:
      record_params(p, w.record);
      return "update";
    case write_kind::append:
      p.text(w.record.id);
      event_arrays(p, w);
      return "append";
    case write_kind::remove:
      p.text(w.record.id);
      return "remove";
    case write_kind::checkpoint:
      p.text(w.record.id).text(w.payload);
      return "put_checkpoint";
    case write_kind::artifact:
      p.text(w.record.id).text(w.name).bytes(w.payload);
      return "put_artifact";
  }
  return "update";
}

int64_t int_at(const PGresult* r, int row, int col) {
  return std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}

std::string text_at(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

result<std::vector<run_record>> records_of(const PGresult* r) {
  std::vector<run_record> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    run_record rec;
    rec.id = text_at(r, i, 0);
    rec.created_at_ms = int_at(r, i, 1);
    auto status = model::parse_run_status(text_at(r, i, 2));
    if (!status)
      return make_problem(errc::store_damaged, "Stored run " + rec.id +
                                                   " has an unknown status '" + text_at(r, i, 2) +
                                                   "'.");
    rec.status = *status;
    rec.reason = model::parse_status_reason(text_at(r, i, 3)).value_or(model::status_reason::none);
    rec.pending_control =
        model::parse_control_action(text_at(r, i, 4)).value_or(model::control_action::none);
    rec.error_message = text_at(r, i, 5);
    rec.workflow_name = text_at(r, i, 6);
    rec.goal = text_at(r, i, 7);
    rec.labels = decode_labels(text_at(r, i, 8));
    rec.host_repo_path = text_at(r, i, 9);
    rec.start_time_ms = int_at(r, i, 10);
    rec.duration_ms = int_at(r, i, 11);
    rec.last_seq = static_cast<uint64_t>(int_at(r, i, 12));
    rec.queue_seq = static_cast<uint64_t>(int_at(r, i, 13));
    out.push_back(std::move(rec));
  }
  return out;
}

PGconn* connect(const std::string& url) {
  // Defaults first: what the URL names wins.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "fabro-orchestrator", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  // NOTICEs ("already exists, skipping") are not ours to print on stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

// Per session: commits wait for their WAL flush whatever the database's
// default says (a 2xx means on disk), and every statement is prepared.
bool set_up_session(PGconn* conn, std::string& error) {
  owned_result r(PQexec(conn, "SET synchronous_commit = on"), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    error = trimmed(PQerrorMessage(conn));
    return false;
  }
  for (const auto& [name, sql] : kStatements) {
    owned_result p(PQprepare(conn, name, sql, 0, nullptr), &PQclear);
    if (PQresultStatus(p.get()) != PGRES_COMMAND_OK) {
      error = std::string("prepare ") + name + ": " + trimmed(PQerrorMessage(conn));
      return false;
    }
  }
  return true;
}

}  // namespace

std::string pg_run_store::redacted(const std::string& url) {
  std::string out = url;
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    pos += 9;
    auto end = out.find_first_of(" &", pos);
    out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, "***");
  }
  return out;
}

result<std::unique_ptr<pg_run_store>> pg_run_store::open(const std::string& url) {
  std::unique_ptr<pg_run_store> store(new pg_run_store(connect(url), url));
  PGconn* conn = store->conn_;
  if (!conn || PQstatus(conn) != CONNECTION_OK)
    return store->failure("cannot connect to the store");
  auto run = [&](const char* sql) {
    owned_result r(PQexec(conn, sql), &PQclear);
    auto status = PQresultStatus(r.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? std::move(r)
                                                                    : owned_result(nullptr, &PQclear);
  };
  // The schema, created or migrated in one transaction under the lock.
  if (!run("BEGIN") || !run(kMigrationLock) ||
      !run("CREATE TABLE IF NOT EXISTS fabro_schema (version integer NOT NULL)"))
    return store->failure("cannot prepare the schema of the store");
  auto version = run("SELECT COALESCE(MAX(version), 0) FROM fabro_schema");
  if (!version) return store->failure("cannot read the schema version of the store");
  int have = static_cast<int>(int_at(version.get(), 0, 0));
  if (have > kSchemaVersion) {
    run("ROLLBACK");
    return make_problem(errc::store_damaged,
                        "refusing the store " + redacted(url) + ": its schema version " +
                            std::to_string(have) + " is newer than this server's (" +
                            std::to_string(kSchemaVersion) + "). Run a newer server on it.");
  }
  for (int v = have + 1; v <= kSchemaVersion; ++v) {
    auto stamp = "INSERT INTO fabro_schema(version) VALUES (" + std::to_string(v) + ")";
    if (!run(kMigrations[v - 1]) || !run(stamp.c_str()))
      return store->failure("cannot migrate the store to schema version " + std::to_string(v));
  }
  if (!run("COMMIT")) return store->failure("cannot commit the schema of the store");
  std::string error;
  if (!set_up_session(conn, error))
    return make_problem(errc::storage_failure, redacted(url) + ": " + error);
  return store;
}

pg_run_store::~pg_run_store() {
  PQfinish(conn_);
  if (sync_conn_) PQfinish(sync_conn_);
}

model::problem pg_run_store::failure(const std::string& what) const {
  return make_problem(errc::storage_failure,
                      what + " (" + redacted(url_) + "): " + trimmed(PQerrorMessage(conn_)));
}

result<done> pg_run_store::ready() {
  // Reads what the server sent unasked: a connection it ended (restart,
  // pg_terminate_backend) shows as bad here, before a statement is lost.
  // Twice: the first read may take the server's last message, the second
  // its end of stream (an idle socket answers each with EAGAIN at once).
  if (PQstatus(conn_) == CONNECTION_OK && PQconsumeInput(conn_) == 1) PQconsumeInput(conn_);
  if (PQstatus(conn_) == CONNECTION_OK && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF &&
      PQtransactionStatus(conn_) == PQTRANS_IDLE)
    return done{};
  PQfinish(conn_);
  conn_ = connect(url_);
  session_durable_ = true;
  if (PQstatus(conn_) != CONNECTION_OK) return failure("cannot reconnect to the store");
  std::string error;
  if (!set_up_session(conn_, error))
    return make_problem(errc::storage_failure, redacted(url_) + ": " + error);
  return done{};
}

result<std::shared_ptr<PGresult>> pg_run_store::read(const char* name, const pg_params& p,
                                                     bool binary) {
  // A read is safe to repeat: once more on a fresh connection if this one
  // broke under it.
  for (int attempt = 0;; ++attempt) {
    if (auto ok = ready(); !ok) return ok.error();
    std::shared_ptr<PGresult> r(PQexecPrepared(conn_, name, p.size(), p.values.data(),
                                               p.lengths.data(), p.formats.data(),
                                               binary ? 1 : 0),
                                &PQclear);
    if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) return r;
    if (attempt > 0 || PQstatus(conn_) == CONNECTION_OK)
      return failure(std::string("read ") + name);
  }
}

result<std::optional<std::string>> pg_run_store::read_value(const char* name, const pg_params& p,
                                                           bool binary) {
  auto rows = read(name, p, binary);
  if (!rows) return rows.error();
  if (PQntuples(rows->get()) == 0) return std::optional<std::string>{};
  return std::optional<std::string>{text_at(rows->get(), 0, 0)};
}

result<std::vector<run_record>> pg_run_store::read_records(const char* name, const pg_params& p) {
  auto rows = read(name, p);
  if (!rows) return rows.error();
  return records_of(rows->get());
}

result<std::vector<write_outcome>> pg_run_store::commit(const std::vector<run_write>& writes) {
  return apply_batch(writes, true);
}

result<std::vector<write_outcome>> pg_run_store::commit_unsynced(
    const std::vector<run_write>& writes) {
  return apply_batch(writes, false);
}

result<done> pg_run_store::sync() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!sync_conn_ || PQstatus(sync_conn_) != CONNECTION_OK) {
      if (sync_conn_) PQfinish(sync_conn_);
      sync_conn_ = connect(url_);
      owned_result on(PQexec(sync_conn_, "SET synchronous_commit = on"), &PQclear);
      if (PQresultStatus(on.get()) != PGRES_COMMAND_OK) continue;
    }
    // A WAL-logged write in a transaction of its own: its COMMIT writes a
    // record after every one written before it and, synchronous, waits
    // for the WAL flush up to it.
    owned_result r(PQexec(sync_conn_, "UPDATE fabro_sync SET n = n + 1"), &PQclear);
    if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) return done{};
    PQfinish(sync_conn_);
    sync_conn_ = nullptr;
  }
  return make_problem(errc::storage_failure,
                      "cannot make the last commits durable on " + redacted(url_) +
                          " (the WAL flush failed twice)");
}

result<std::vector<write_outcome>> pg_run_store::apply_batch(const std::vector<run_write>& writes,
                                                             bool durable) {
  if (auto r = ready(); !r) return r.error();
  if (writes.empty()) return std::vector<write_outcome>{};
  // One pipeline, one Sync: one implicit transaction, one round trip.
  if (PQenterPipelineMode(conn_) != 1) return failure("cannot enter pipeline mode");
  size_t first = 0;  // the statements before the writes
  if (durable != session_durable_) {
    if (PQsendQueryParams(conn_,
                          durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off",
                          0, nullptr, nullptr, nullptr, nullptr, 0) != 1)
      return failure("cannot send the commit mode");
    ++first;
  }
  const size_t fence_at = first;
  if (fence_term_) {
    params p;
    p.num(static_cast<int64_t>(fence_term_));
    if (PQsendQueryPrepared(conn_, "fence", p.size(), p.values.data(), p.lengths.data(),
                            p.formats.data(), 0) != 1)
      return failure("cannot send the fence");
    ++first;
  }
  for (const auto& w : writes) {
    params p;
    const char* name = statement_for(w, p);
    if (PQsendQueryPrepared(conn_, name, p.size(), p.values.data(), p.lengths.data(),
                            p.formats.data(), 0) != 1)
      return failure("cannot send a write");  // ready() drops the half-sent pipeline
  }
  if (PQpipelineSync(conn_) != 1) return failure("cannot send the commit");
  // Results: each statement's (then a null), then the Sync's once the
  // transaction committed (or rolled back after an error).
  std::vector<std::string> counts(first + writes.size());
  std::string error;
  size_t statement = 0;
  int nulls = 0;
  bool synced = false, fenced = false;
  while (!synced) {
    owned_result r(PQgetResult(conn_), &PQclear);
    if (!r) {
      if (++nulls > 1) break;  // the connection is gone
      ++statement;
      continue;
    }
    nulls = 0;
    switch (PQresultStatus(r.get())) {
      case PGRES_PIPELINE_SYNC: synced = true; break;
      case PGRES_TUPLES_OK:
        if (statement < counts.size() && PQntuples(r.get()) > 0) counts[statement] = text_at(r.get(), 0, 0);
        break;
      case PGRES_COMMAND_OK: break;
      case PGRES_PIPELINE_ABORTED:
        if (error.empty()) error = "aborted";
        break;
      default:
        if (error.empty()) error = trimmed(PQresultErrorMessage(r.get()));
        if (fence_term_ && statement == fence_at) fenced = true;
    }
  }
  if (!synced) return failure("the store's connection failed during a commit");
  PQexitPipelineMode(conn_);
  if (fenced)
    return make_problem(errc::storage_failure,
                        "this server is no longer the queue authority of " + redacted(url_) +
                            " (its term " + std::to_string(fence_term_) +
                            " was superseded): nothing applied");
  if (!error.empty())
    return make_problem(errc::storage_failure,
                        "commit to " + redacted(url_) + " failed, nothing applied: " + error);
  session_durable_ = durable;
  std::vector<write_outcome> out(writes.size());
  for (size_t i = 0; i < writes.size(); ++i) {
    if (writes[i].kind != write_kind::create || counts[first + i] != "0") continue;
    // The id was taken: what is stored decides existing or conflict.
    auto manifest = load_manifest(writes[i].record.id);
    if (!manifest) return manifest.error();
    out[i].status = *manifest && **manifest == writes[i].manifest_bytes ? write_status::existing
                                                                         : write_status::conflict;
    auto existing = load_run(writes[i].record.id);
    if (!existing) return existing.error();
    if (*existing) out[i].existing = **existing;
  }
  return out;
}


result<std::optional<run_record>> pg_run_store::load_run(const std::string& id) {
  params p;
  p.text(id);
  auto records = read_records("load_run", p);
  if (!records) return records.error();
  if (records->empty()) return std::optional<run_record>{};
  return std::optional<run_record>{std::move(records->front())};
}

result<std::optional<std::string>> pg_run_store::load_manifest(const std::string& id) {
  params p;
  p.text(id);
  return read_value("manifest", p, true);
}

result<std::optional<std::string>> pg_run_store::load_definition(const std::string& id) {
  params p;
  p.text(id);
  return read_value("definition", p);
}

result<std::optional<std::string>> pg_run_store::load_checkpoint(const std::string& id) {
  params p;
  p.text(id);
  return read_value("checkpoint", p);
}

result<std::optional<std::string>> pg_run_store::load_artifact(const std::string& id,
                                                               const std::string& name) {
  params p;
  p.text(id).text(name);
  return read_value("artifact", p, true);
}

result<std::vector<model::stored_artifact>> pg_run_store::list_artifacts(const std::string& id) {
  params p;
  p.text(id);
  auto rows = read("artifacts", p);
  if (!rows) return rows.error();
  const PGresult* res = rows->get();
  std::vector<model::stored_artifact> out;
  for (int i = 0; i < PQntuples(res); ++i)
    out.push_back({text_at(res, i, 0), static_cast<uint64_t>(int_at(res, i, 1))});
  return out;
}

result<std::vector<run_record>> pg_run_store::list_runs(uint64_t offset, uint64_t limit) {
  params p;
  p.num(static_cast<int64_t>(limit)).num(static_cast<int64_t>(offset));
  return read_records("list", p);
}

result<std::vector<run_record>> pg_run_store::list_runs_before(int64_t created_ms,
                                                               const std::string& id,
                                                               uint64_t limit) {
  params p;
  p.num(created_ms).text(id).num(static_cast<int64_t>(limit));
  return read_records("list_before", p);
}

result<std::vector<run_record>> pg_run_store::list_runs_in(
    const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) {
  if (statuses.empty()) return std::vector<run_record>{};
  std::vector<std::string> names;
  for (auto s : statuses) names.push_back(model::to_string(s));
  params p;
  p.own(text_array(names)).num(static_cast<int64_t>(limit)).num(static_cast<int64_t>(offset));
  return read_records("list_in", p);
}

result<std::vector<std::string>> pg_run_store::list_events(const std::string& id,
                                                           uint64_t since_seq, uint64_t limit) {
  params p;
  p.text(id).num(static_cast<int64_t>(since_seq)).num(static_cast<int64_t>(limit));
  auto rows = read("events", p);
  if (!rows) return rows.error();
  const PGresult* res = rows->get();
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(res); ++i) {
    out.push_back(text_at(res, i, 0));
    if (!model::is_json_object(out.back()))
      return make_problem(errc::store_damaged, "Stored event " + text_at(res, i, 1) + " of run " +
                                                   id + " is damaged (not a JSON object).");
  }
  return out;
}

result<unfinished_runs> pg_run_store::load_unfinished() {
  params p;
  auto rows = read("unfinished", p);
  if (!rows) return rows.error();
  const PGresult* res = rows->get();
  unfinished_runs out;
  std::vector<std::string> executing;
  for (int i = 0; i < PQntuples(res); ++i) {
    waiting_row row;
    row.id = text_at(res, i, 0);
    auto status = model::parse_run_status(text_at(res, i, 1));
    if (!status)
      return make_problem(errc::store_damaged, "Stored run " + row.id +
                                                   " has an unknown status '" +
                                                   text_at(res, i, 1) + "'.");
    row.status = *status;
    row.queue_seq = static_cast<uint64_t>(int_at(res, i, 2));
    if (row.status == model::run_status::submitted || row.status == model::run_status::queued)
      out.waiting.push_back(std::move(row));
    else
      executing.push_back(std::move(row.id));
  }
  rows->reset();
  for (const auto& id : executing) {
    auto r = load_run(id);
    if (!r) return r.error();
    if (*r) out.executing.push_back(std::move(**r));
  }
  return out;
}

result<store_usage> pg_run_store::usage() {
  params p;
  auto rows = read("usage", p);
  if (!rows) return rows.error();
  const PGresult* res = rows->get();
  store_usage u;
  u.engine = "postgresql";
  u.location = redacted(url_);
  u.runs = static_cast<uint64_t>(int_at(res, 0, 0));
  u.bytes = static_cast<uint64_t>(int_at(res, 0, 1));
  return u;
}

result<std::vector<uint64_t>> pg_run_store::run_bytes(const std::vector<std::string>& ids) {
  std::vector<uint64_t> out;
  for (const auto& id : ids) {
    params p;
    p.text(id);
    auto rows = read("run_bytes", p);
  if (!rows) return rows.error();
  const PGresult* res = rows->get();
    if (PQgetisnull(res, 0, 0)) {
      out.push_back(0);  // no such run
      continue;
    }
    uint64_t n = 0;
    for (int c = 0; c < 4; ++c) n += static_cast<uint64_t>(int_at(res, 0, c));
    out.push_back(n);
  }
  return out;
}

#undef FABRO_RECORD_COLUMNS

}  // namespace fabro::store
