// A damaged store stops the server at start with one line on stderr and
// exit code 2 (nothing is reset); a damaged row gets a JSON 500, never
// invalid JSON.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

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

TEST_CASE("pages of runs stored before the per-run limits are sent whole, however large",
          "[e2e][limits]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  std::vector<std::string> ids;
  {
    server_process s(data);
    REQUIRE(s.started());
    for (int i = 0; i < 35; ++i) {
      auto r = http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest());
      REQUIRE(r.status == 201);
      ids.push_back(json_string_field(r.body, "id"));
    }
    REQUIRE(s.stop() == 0);
  }
  // 2 MB goals, as an older server accepted: a 70 MB page (over 64 MiB).
  exec_sql(data + "/runs.db", "UPDATE runs SET goal = printf('%.*c', 2000000, 'g')");
  server_process s(data);
  REQUIRE(s.started());
  auto r = http_request(s.port(), "GET", "/api/v1/runs?page[limit]=35");
  CHECK(r.status == 200);
  CHECK(r.body.size() > (64u << 20));
  CHECK(data_items(r.body).size() == 35);
}

TEST_CASE("an event page stops before 32 MiB and says has_more", "[e2e][limits]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  auto id = one_run(data);
  // Forty 1 MB events (valid JSON objects), as a stage's output could once make.
  std::string values;
  for (int seq = 3; seq < 43; ++seq)
    values += (seq > 3 ? "," : "") + std::string("('") + id + "'," + std::to_string(seq) +
              ",'{\"id\":\"e" + std::to_string(seq) + "\",\"ts\":\"2026-12-03T14:00:00Z\","
              "\"run_id\":\"" + id + "\",\"event\":\"stage.output\",\"seq\":" +
              std::to_string(seq) + ",\"properties\":{\"pad\":\"' || printf('%.*c', 1000000, 'p') || '\"}}')";
  exec_sql(data + "/runs.db", "INSERT INTO events(run_id, seq, envelope) VALUES " + values);
  server_process s(data);
  REQUIRE(s.started());
  auto r = http_request(s.port(), "GET", "/api/v1/runs/" + id + "/events?limit=1000");
  CHECK(r.status == 200);
  CHECK(r.body.size() < (32u << 20) + 4096);
  auto items = data_items(r.body);
  CHECK(items.size() < 42);
  CHECK(items.size() > 2);
  CHECK(r.body.find("\"has_more\":true") != std::string::npos);
}
