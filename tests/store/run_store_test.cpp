// Both stores must behave alike: the same contract tests run against each.
#include "store/memory_run_store.hpp"
#include "store/pg_run_store.hpp"
#include "store/sqlite_run_store.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/wait.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>
#include <unistd.h>

using namespace fabro;
using store::run_write;
using store::write_kind;
using store::write_status;

namespace {

model::run_record record(const std::string& id, int64_t created) {
  model::run_record r;
  r.id = id;
  r.created_at_ms = created;
  r.workflow_name = "T";
  r.labels = {{"team", "infra"}, {"quote\"d", "v\n"}};
  return r;
}

model::run_event event(const std::string& id, uint64_t seq, const char* name) {
  model::run_event e;
  e.run_id = id;
  e.seq = seq;
  e.id = "e" + std::to_string(seq);
  e.event = name;
  return e;
}

run_write create(const std::string& id, int64_t created, const std::string& manifest) {
  run_write w;
  w.kind = write_kind::create;
  w.record = record(id, created);
  w.manifest_bytes = manifest;
  w.definition = "{def:" + manifest + "}";
  w.events = {event(id, 1, "run.created"), event(id, 2, "run.submitted")};
  return w;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/fabro-store-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

void check_contract(store::run_store& s) {
  SECTION("a created run reads back with its manifest, labels and events") {
    auto out = s.commit({create("A", 10, "{m}")});
    REQUIRE(out);
    CHECK(out->at(0).status == write_status::applied);
    auto r = s.load_run("A");
    REQUIRE(r);
    REQUIRE(r->has_value());
    CHECK((*r)->workflow_name == "T");
    CHECK((*r)->labels.at("quote\"d") == "v\n");
    CHECK((*r)->last_seq == 2);
    CHECK(**s.load_manifest("A") == "{m}");
    CHECK(**s.load_definition("A") == "{def:{m}}");
    CHECK_FALSE(s.load_definition("B")->has_value());
    auto events = s.list_events("A", 2, 10);
    REQUIRE(events->size() == 1);
    CHECK(events->at(0).find("\"event\":\"run.submitted\"") != std::string::npos);
  }
  SECTION("creating an existing id reports existing or conflict and changes nothing") {
    REQUIRE(s.commit({create("A", 10, "{m}")}));
    auto again = s.commit({create("A", 10, "{m}"), create("A", 10, "{other}")});
    REQUIRE(again);
    CHECK(again->at(0).status == write_status::existing);
    CHECK(again->at(1).status == write_status::conflict);
    CHECK(**s.load_manifest("A") == "{m}");
  }
  SECTION("runs list newest first with offset and limit") {
    REQUIRE(s.commit({create("A", 10, "a"), create("B", 30, "b"), create("C", 20, "c")}));
    auto page = s.list_runs(1, 5);
    REQUIRE(page->size() == 2);
    CHECK(page->at(0).id == "C");
    CHECK(page->at(1).id == "A");
  }
  SECTION("runs in some statuses list newest first with offset and limit") {
    REQUIRE(s.commit({create("A", 10, "a"), create("B", 30, "b"), create("C", 20, "c")}));
    auto done = record("C", 20);
    done.status = model::run_status::completed;
    auto paused = record("A", 10);
    paused.status = model::run_status::paused;
    REQUIRE(s.commit({{write_kind::update, done, "", "", {}, "", ""},
                      {write_kind::update, paused, "", "", {}, "", ""}}));
    auto both = s.list_runs_in({model::run_status::completed, model::run_status::paused}, 0, 5);
    REQUIRE(both->size() == 2);
    CHECK(both->at(0).id == "C");
    CHECK(both->at(1).id == "A");
    auto second = s.list_runs_in({model::run_status::completed, model::run_status::paused}, 1, 5);
    REQUIRE(second->size() == 1);
    CHECK(second->at(0).id == "A");
    CHECK(s.list_runs_in({model::run_status::running}, 0, 5)->empty());
  }
  SECTION("artifacts list by name with their sizes") {
    REQUIRE(s.commit({create("A", 10, "a")}));
    run_write one{write_kind::artifact, record("A", 10), "", "", {}, "stages/w@1/attempt-1/stdout", "hello"};
    run_write two{write_kind::artifact, record("A", 10), "", "", {}, "stages/w@1/attempt-1/stderr", ""};
    REQUIRE(s.commit({one, two}));
    auto list = s.list_artifacts("A");
    REQUIRE(list);
    REQUIRE(list->size() == 2);
    CHECK(list->at(0).name == "stages/w@1/attempt-1/stderr");
    CHECK(list->at(0).size == 0);
    CHECK(list->at(1).name == "stages/w@1/attempt-1/stdout");
    CHECK(list->at(1).size == 5);
    CHECK(s.list_artifacts("B")->empty());
  }
  SECTION("usage counts the stored runs and their bytes") {
    CHECK(s.usage()->runs == 0);
    REQUIRE(s.commit({create("A", 10, "a"), create("B", 30, std::string(5000, 'b'))}));
    auto u = s.usage();
    REQUIRE(u);
    CHECK(u->runs == 2);
    CHECK(u->bytes >= 5000);
    CHECK((u->engine == "sqlite" || u->engine == "memory" || u->engine == "postgresql"));
  }
  SECTION("run bytes count a run's manifest, definition, events, checkpoint and artifacts") {
    REQUIRE(s.commit({create("A", 10, "a"), create("B", 30, std::string(5000, 'b'))}));
    auto before = s.run_bytes({"A", "B", "nope"});
    REQUIRE(before);
    REQUIRE(before->size() == 3);
    CHECK(before->at(0) > 2);
    CHECK(before->at(1) >= 2 * 5000);  // the manifest and the definition that quotes it
    CHECK(before->at(2) == 0);
    run_write art{write_kind::artifact, record("A", 10), "", "", {}, "stages/x@1/out",
                  std::string(700, 'z')};
    run_write cp{write_kind::checkpoint, record("A", 10), "", "", {}, "", "{\"c\":1}"};
    REQUIRE(s.commit({art, cp}));
    CHECK(s.run_bytes({"A"})->at(0) == before->at(0) + 700 + 7);
  }
  SECTION("runs list newest first before a position, without skipping ties") {
    REQUIRE(s.commit({create("A", 10, "a"), create("B", 30, "b"), create("C", 20, "c"),
                      create("D", 20, "d")}));
    auto first = s.list_runs_before(INT64_MAX, "", 2);
    REQUIRE(first->size() == 2);
    CHECK(first->at(0).id == "B");
    CHECK(first->at(1).id == "D");
    auto rest = s.list_runs_before(20, "D", 5);
    REQUIRE(rest->size() == 2);
    CHECK(rest->at(0).id == "C");
    CHECK(rest->at(1).id == "A");
    CHECK(s.list_runs_before(10, "A", 5)->empty());
  }
  SECTION("updates, appends and removal are durable changes") {
    REQUIRE(s.commit({create("A", 10, "a")}));
    auto rec = record("A", 10);
    rec.status = model::run_status::failed;
    rec.reason = model::status_reason::cancelled;
    rec.queue_seq = 7;
    run_write upd{write_kind::update, rec, "", "", {}, "", ""};
    run_write app{write_kind::append, rec, "", "", {event("A", 3, "run.failed")}, "", ""};
    REQUIRE(s.commit({upd, app}));
    auto r = **s.load_run("A");
    CHECK(r.status == model::run_status::failed);
    CHECK(r.reason == model::status_reason::cancelled);
    CHECK(r.queue_seq == 7);
    CHECK(r.last_seq == 3);
    CHECK(s.load_unfinished()->waiting.empty());
    CHECK(s.load_unfinished()->executing.empty());
    REQUIRE(s.commit({run_write{write_kind::remove, rec, "", "", {}, "", ""}}));
    CHECK_FALSE(s.load_run("A")->has_value());
    CHECK(s.list_events("A", 1, 10)->empty());
  }
  SECTION("recovery reads waiting runs as index rows and executing runs whole, oldest first") {
    REQUIRE(s.commit({create("C", 30, "c"), create("A", 10, "a"), create("B", 20, "b"),
                      create("D", 40, "d"), create("E", 5, "e")}));
    auto queued = record("B", 20);
    queued.status = model::run_status::queued;
    queued.queue_seq = 9;
    auto running = record("C", 30);
    running.status = model::run_status::running;
    running.goal = "g";
    auto done = record("E", 5);
    done.status = model::run_status::completed;
    REQUIRE(s.commit({run_write{write_kind::update, queued, "", "", {}, "", ""},
                      run_write{write_kind::update, running, "", "", {}, "", ""},
                      run_write{write_kind::update, done, "", "", {}, "", ""}}));
    auto u = s.load_unfinished();
    REQUIRE(u);
    REQUIRE(u->waiting.size() == 3);
    CHECK(u->waiting[0].id == "A");
    CHECK(u->waiting[0].status == model::run_status::submitted);
    CHECK(u->waiting[1].id == "B");
    CHECK(u->waiting[1].status == model::run_status::queued);
    CHECK(u->waiting[1].queue_seq == 9);
    CHECK(u->waiting[2].id == "D");
    REQUIRE(u->executing.size() == 1);
    CHECK(u->executing[0].id == "C");
    CHECK(u->executing[0].goal == "g");
    CHECK(u->executing[0].last_seq == 2);
  }
  SECTION("the latest checkpoint and named artifacts are kept per run and removed with it") {
    REQUIRE(s.commit({create("A", 10, "a")}));
    CHECK_FALSE(s.load_checkpoint("A")->has_value());
    auto rec = record("A", 10);
    run_write cp{write_kind::checkpoint, rec, "", "", {}, "", "{\"n\":1}"};
    run_write cp2{write_kind::checkpoint, rec, "", "", {}, "", "{\"n\":2}"};
    run_write art{write_kind::artifact, rec, "", "", {}, "s/out", std::string("x\0y", 3)};
    REQUIRE(s.commit({cp, art, cp2}));
    CHECK(**s.load_checkpoint("A") == "{\"n\":2}");
    CHECK(**s.load_artifact("A", "s/out") == std::string("x\0y", 3));
    CHECK_FALSE(s.load_artifact("A", "s/err")->has_value());
    REQUIRE(s.commit({run_write{write_kind::remove, rec, "", "", {}, "", ""}}));
    CHECK_FALSE(s.load_checkpoint("A")->has_value());
    CHECK_FALSE(s.load_artifact("A", "s/out")->has_value());
  }
}

}  // namespace

TEST_CASE("the in-memory store keeps the run store contract", "[store]") {
  store::memory_run_store s(std::make_shared<store::memory_run_data>());
  check_contract(s);
}

TEST_CASE("the SQLite store keeps the run store contract", "[store]") {
  temp_dir dir;
  auto s = store::sqlite_run_store::open((dir.path / "runs.db").string());
  REQUIRE(s);
  check_contract(**s);
}

TEST_CASE("a second SQLite connection sees what the first committed", "[store]") {
  temp_dir dir;
  auto path = (dir.path / "runs.db").string();
  auto writer = store::sqlite_run_store::open(path);
  auto reader = store::sqlite_run_store::open(path);
  REQUIRE(writer);
  REQUIRE(reader);
  REQUIRE((*writer)->commit({create("A", 10, "a")}));
  CHECK((*reader)->load_run("A")->has_value());
}

TEST_CASE("opening a store where no file can be created fails with a clear error", "[store]") {
  auto s = store::sqlite_run_store::open("/nonexistent-dir/x/runs.db");
  REQUIRE_FALSE(s);
  CHECK(s.error().code == model::errc::storage_failure);
  CHECK(s.error().detail.find("/nonexistent-dir/x/runs.db") != std::string::npos);
}

TEST_CASE("the PostgreSQL store keeps the run store contract", "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  // Each section runs the case again from the top: a database of its own.
  auto s = store::pg_run_store::open(pg->fresh_database());
  REQUIRE(s);
  check_contract(**s);
}

TEST_CASE("PostgreSQL stores on one database see each other's commits and migrate once",
          "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  auto writer = store::pg_run_store::open(url);
  auto reader = store::pg_run_store::open(url);  // finds the schema in place
  REQUIRE(writer);
  REQUIRE(reader);
  REQUIRE((*writer)->commit({create("A", 10, "a")}));
  CHECK((*reader)->load_run("A")->has_value());
  CHECK((*reader)->usage()->runs == 1);
}


TEST_CASE("a PostgreSQL batch with a failing write applies none of it", "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  auto s = store::pg_run_store::open(url);
  REQUIRE(s);
  REQUIRE(testing::sql_value(url, "DROP TABLE artifacts"));  // the batch's last write will fail
  run_write art{write_kind::artifact, record("A", 10), "", "", {}, "out", "bytes"};
  auto out = (*s)->commit({create("A", 10, "a"), art});
  REQUIRE_FALSE(out);
  CHECK(out.error().code == model::errc::storage_failure);
  CHECK(out.error().detail.find("artifacts") != std::string::npos);
  CHECK_FALSE((*s)->load_run("A")->has_value());  // and the store still answers
  auto b = (*s)->commit({create("B", 20, "b")});
  INFO((b ? std::string() : b.error().detail));
  CHECK(b);
}

TEST_CASE("PostgreSQL text that is not UTF-8 is stored repaired, bytes are kept exactly",
          "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto s = store::pg_run_store::open(pg->fresh_database());
  REQUIRE(s);
  auto w = create("A", 10, std::string("\xff\x00m", 3));
  w.record.error_message = "bad \xc3( byte";
  run_write art{write_kind::artifact, record("A", 10), "", "", {}, "out", "\xfe\xff"};
  REQUIRE((*s)->commit({w, art}));
  CHECK((*(*s)->load_run("A"))->error_message == "bad \xEF\xBF\xBD( byte");
  CHECK(**(*s)->load_manifest("A") == std::string("\xff\x00m", 3));
  CHECK(**(*s)->load_artifact("A", "out") == "\xfe\xff");
}

TEST_CASE("a PostgreSQL store whose schema is newer than the server's is refused unchanged",
          "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  REQUIRE(store::pg_run_store::open(url));
  REQUIRE(testing::sql_value(url, "INSERT INTO fabro_schema(version) VALUES (99)"));
  auto again = store::pg_run_store::open(url);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == model::errc::store_damaged);
  CHECK(again.error().detail.find("schema version 99 is newer") != std::string::npos);
}

TEST_CASE("a PostgreSQL store reconnects after the server ended its session", "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  auto s = store::pg_run_store::open(url);
  REQUIRE(s);
  REQUIRE((*s)->commit({create("A", 10, "a")}));
  // Ends every other session on the database and waits until they are gone.
  REQUIRE(testing::sql_value(url,
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  CHECK((*s)->load_run("A")->has_value());
  auto b = (*s)->commit({create("B", 20, "b")});
  INFO((b ? std::string() : b.error().detail));
  CHECK(b);
}

TEST_CASE("PostgreSQL commits without waiting are read at once and made durable by a sync "
          "from another thread, also after its session was ended", "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  auto s = store::pg_run_store::open(url);
  REQUIRE(s);
  // Whether the WAL is flushed (on disk) up to `lsn`, and how far it is written.
  auto wal_flushed_to = [&](const std::string& lsn) {
    return testing::sql_value(url, "SELECT pg_current_wal_flush_lsn() >= '" + lsn + "'::pg_lsn") ==
           "t";
  };
  auto wal_written = [&] {
    return testing::sql_value(url, "SELECT pg_current_wal_insert_lsn()").value_or("0/0");
  };
  // PostgreSQL's WAL writer flushes a first asynchronous commit on its next
  // round, then at most every 10 s (private_postgres): once it has flushed
  // W, what is flushed right after sync() returned, sync() flushed (an
  // xid-only sync fails here).
  REQUIRE((*s)->commit_unsynced({create("W", 5, "w")}));
  auto warm = wal_written();
  REQUIRE(testing::eventually([&] { return wal_flushed_to(warm); }, std::chrono::seconds(30)));
  REQUIRE((*s)->commit_unsynced({create("A", 10, "a")}));
  CHECK((*s)->load_run("A")->has_value());
  auto written = wal_written();
  model::result<model::done> synced = model::done{};
  std::thread([&] { synced = (*s)->sync(); }).join();
  CHECK(synced);
  CHECK(wal_flushed_to(written));
  REQUIRE(testing::sql_value(url,
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  CHECK((*s)->sync());  // on a fresh session
  // A durable commit after unsynced ones switches the session back.
  auto b = (*s)->commit({create("B", 20, "b")});
  INFO((b ? std::string() : b.error().detail));
  CHECK(b);
  CHECK((*s)->commit_unsynced({create("C", 30, "c")}));
  CHECK((*s)->sync());
  CHECK((*s)->usage()->runs == 4);
}

TEST_CASE("an unreachable PostgreSQL store fails with the URL, never its password", "[store]") {
  auto s = store::pg_run_store::open("postgresql://fabro:s3cret@127.0.0.1:1/none");
  REQUIRE_FALSE(s);
  CHECK(s.error().code == model::errc::storage_failure);
  CHECK(s.error().detail.find("postgresql://fabro:***@127.0.0.1:1/none") != std::string::npos);
  CHECK(s.error().detail.find("s3cret") == std::string::npos);
  CHECK(store::pg_run_store::redacted("host=h password=pw dbname=d") ==
        "host=h password=*** dbname=d");
}
