// A damaged store stops the server at start with one line on stderr and
// exit code 2 (nothing is reset); a damaged row gets a JSON 500, never
// invalid JSON.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "model/json_check.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;

namespace {

void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

binary_output serve_once(const std::string& data) {
  return run_binary_in(data + "/..", {"serve", "--data-dir", data, "--bind", "127.0.0.1:0"}, {},
                       20000);
}

// Starts a server on `data`, creates one run, stops it; the run's id.
std::string one_run(const std::string& data) {
  server_process s(data);
  REQUIRE(s.started());
  auto r = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest());
  REQUIRE(r.status == 201);
  REQUIRE(s.stop() == 0);
  return json_string_field(r.body, "id");
}

}  // namespace

TEST_CASE("a zero-length runs.db stops the server with exit code 2 and one line on stderr",
          "[e2e][damage]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  std::filesystem::create_directories(data);
  std::ofstream(data + "/runs.db").close();
  auto out = serve_once(data);
  CHECK(out.code == 2);
  CHECK(std::count(out.err.begin(), out.err.end(), '\n') == 1);
  CHECK(out.err.find("refusing the store " + data + "/runs.db: it is empty (0 bytes)") !=
        std::string::npos);
  CHECK(out.out.find("listening") == std::string::npos);
  CHECK(std::filesystem::file_size(data + "/runs.db") == 0);
}

TEST_CASE("a store missing a column stops the server at start instead of failing creates",
          "[e2e][damage]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  one_run(data);
  exec_sql(data + "/runs.db", "ALTER TABLE runs DROP COLUMN definition");
  auto out = serve_once(data);
  CHECK(out.code == 2);
  CHECK(out.err.find("table 'runs' lacks column(s) definition") != std::string::npos);
}

TEST_CASE("a stored event that is not JSON gets a JSON 500 from /events", "[e2e][damage]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  auto id = one_run(data);
  exec_sql(data + "/runs.db", "UPDATE events SET envelope='not json' WHERE seq=2");
  server_process s(data);
  REQUIRE(s.started());
  auto r = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events");
  CHECK(r.status == 500);
  CHECK(fabro::model::is_json_object(r.body));
  CHECK(r.body.find("Stored event 2 of run " + id + " is damaged") != std::string::npos);
  // The run itself still reads.
  CHECK(http_request(s.port(), "GET", "/api/v1/runs/" + id).status == 200);
}
