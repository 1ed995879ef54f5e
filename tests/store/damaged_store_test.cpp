// A damaged or foreign store file is refused (errc::store_damaged, file
// untouched), never silently reset; a damaged row is never handed out.
// Also what only the SQLite store has: the plan of its recovery query.
#include "store/sqlite_run_store.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <chrono>
#include <fstream>
#include <thread>

using namespace fabro;

namespace {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/fabro-damaged-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// A store holding run A with two events, closed again.
std::string stored_run(const temp_dir& dir) {
  auto path = (dir.path / "runs.db").string();
  auto s = store::sqlite_run_store::open(path);
  REQUIRE(s);
  store::run_write w;
  w.kind = store::write_kind::create;
  w.record.id = "A";
  w.manifest_bytes = "{}";
  for (uint64_t seq : {1, 2}) {
    model::run_event e;
    e.run_id = "A";
    e.seq = seq;
    e.id = "e" + std::to_string(seq);
    e.event = "run.created";
    w.events.push_back(e);
  }
  REQUIRE((*s)->commit({w}));
  return path;
}

std::string refusal(const std::string& path) {
  auto s = store::sqlite_run_store::open(path);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == model::errc::store_damaged);
  CHECK(s.error().detail.find(path) != std::string::npos);
  return s.error().detail;
}

}  // namespace

TEST_CASE("a zero-length store file is refused, not taken for a new store", "[store]") {
  temp_dir dir;
  auto path = (dir.path / "runs.db").string();
  std::ofstream(path).close();
  CHECK(refusal(path).find("empty (0 bytes)") != std::string::npos);
  CHECK(std::filesystem::file_size(path) == 0);  // left as it was
}

TEST_CASE("a file that is not SQLite is refused and left untouched", "[store]") {
  temp_dir dir;
  auto path = (dir.path / "runs.db").string();
  std::string text(8192, 'x');
  std::ofstream(path) << text;
  CHECK(refusal(path).find("not a SQLite database") != std::string::npos);
  CHECK(std::filesystem::file_size(path) == text.size());
}

TEST_CASE("a SQLite database of another program is refused", "[store]") {
  temp_dir dir;
  auto path = (dir.path / "runs.db").string();
  exec_sql(path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
  CHECK(refusal(path).find("no table 'runs'") != std::string::npos);
}

TEST_CASE("a store missing a column is refused at open, not with 500s later", "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  exec_sql(path, "ALTER TABLE runs DROP COLUMN definition");
  CHECK(refusal(path).find("table 'runs' lacks column(s) definition") != std::string::npos);
}

TEST_CASE("a store of a newer schema version is refused", "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  exec_sql(path, "PRAGMA user_version=7");
  CHECK(refusal(path).find("schema version 7 is newer") != std::string::npos);
}

TEST_CASE("a seed-era store without a version opens and is stamped with the current one",
          "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  exec_sql(path, "PRAGMA user_version=0");
  {
    auto s = store::sqlite_run_store::open(path);
    REQUIRE(s);
    CHECK((*s)->load_run("A")->has_value());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("a stored event that is not JSON is reported as damage, never handed out", "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  exec_sql(path, "UPDATE events SET envelope='{\"seq\":2, oops' WHERE seq=2");
  auto s = store::sqlite_run_store::open(path);
  REQUIRE(s);
  auto first = (*s)->list_events("A", 1, 1);
  REQUIRE(first);
  CHECK(first->size() == 1);
  auto all = (*s)->list_events("A", 1, 10);
  REQUIRE_FALSE(all);
  CHECK(all.error().code == model::errc::store_damaged);
  CHECK(all.error().detail == "Stored event 2 of run A is damaged (not a JSON object).");
}

TEST_CASE("a stored run with an unknown status is reported as damage", "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  exec_sql(path, "UPDATE runs SET status='exploded' WHERE id='A'");
  auto s = store::sqlite_run_store::open(path);
  REQUIRE(s);
  auto r = (*s)->load_run("A");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == model::errc::store_damaged);
  CHECK(r.error().detail.find("unknown status 'exploded'") != std::string::npos);
}

TEST_CASE("recovery reads the partial index of unfinished runs, not the whole table", "[store]") {
  temp_dir dir;
  auto path = stored_run(dir);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             (std::string("EXPLAIN QUERY PLAN ") +
                              store::sqlite_run_store::kUnfinishedQuery).c_str(),
                             -1, &st, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW)
    plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
  sqlite3_finalize(st);
  sqlite3_close(db);
  INFO(plan);
  CHECK(plan.find("USING COVERING INDEX runs_recovery") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort: the index is in order
}

TEST_CASE("WAL checkpoints run off the commit path and keep the WAL bounded", "[store]") {
  temp_dir dir;
  auto path = (dir.path / "runs.db").string();
  auto s = store::sqlite_run_store::open(path);
  REQUIRE(s);
  // ~60 MB of manifests in 1,000 commits, written without a pause (the
  // background checkpoints rarely catch up, so the inline one bounds the
  // WAL); without checkpoints the WAL would hold all of it.
  const std::string manifest(4000, 'm');
  for (int batch = 0; batch < 1000; ++batch) {
    std::vector<store::run_write> writes;
    for (int i = 0; i < 15; ++i) {
      store::run_write w;
      w.kind = store::write_kind::create;
      w.record.id = "R" + std::to_string(batch * 15 + i);
      w.manifest_bytes = manifest;
      writes.push_back(std::move(w));
    }
    REQUIRE((*s)->commit(writes));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*s)->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK((*s)->checkpoints() > 0);
  CHECK(std::filesystem::file_size(path) > 10u * 1024 * 1024);  // the runs reached the database
  CHECK(std::filesystem::file_size(path + "-wal") <
        (store::wal_checkpointer::kInlinePages + 2000u) * 4096);
  // Every run reads back while the checkpointer may still be at work.
  CHECK((*s)->load_run("R0")->has_value());
  CHECK((*s)->load_run("R14999")->has_value());
}
