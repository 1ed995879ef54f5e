// A run's checkpoint, settings and billing, and the server's system info and
// disk usage, as Fabro's clients read them (issue 14). Every body is also
// checked against Fabro's document by the contract test (api_contract.hpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include <simdjson.h>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;

namespace {

struct running_server {
  temp_dir dir;
  server_process server{dir.path + "/data"};
  uint16_t port() const { return server.port(); }
  http_response get(const std::string& path) { return http_request(port(), "GET", path); }
  std::string status(const std::string& id) {
    return json_string_field(get("/api/v1/runs/" + id).body, "status");
  }
};

// A parsed body (kept alive with its parser).
struct doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit doc(const std::string& json) { REQUIRE_FALSE(parser.parse(json).get(root)); }
};

const char* kUnknown = "01JRZ3NDEKTSV4RRFFQ69G5FAV";

}  // namespace

TEST_CASE("a run's checkpoint is null until a stage ran, then Fabro's RunCheckpoint", "[e2e]") {
  running_server s;
  auto waiting = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  auto none = s.get("/api/v1/runs/" + waiting + "/checkpoint");
  CHECK(none.status == 200);
  CHECK(none.body == "null");

  auto r = http_request(s.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("echo hi"), s.dir.path));
  REQUIRE(r.status == 201);
  auto id = json_string_field(r.body, "id");
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }));
  auto c = s.get("/api/v1/runs/" + id + "/checkpoint");
  REQUIRE(c.status == 200);
  doc d(c.body);
  std::string_view node, ts;
  REQUIRE_FALSE(d.root["current_node"].get(node));
  CHECK(node == "work");
  REQUIRE_FALSE(d.root["timestamp"].get(ts));
  CHECK(ts.substr(0, 2) == "20");  // taken now, not the epoch
  simdjson::dom::array done;
  REQUIRE_FALSE(d.root["completed_nodes"].get(done));
  CHECK(done.size() >= 1);

  CHECK(s.get(std::string("/api/v1/runs/") + kUnknown + "/checkpoint").status == 404);
  CHECK(s.get("/api/v1/runs/nope/checkpoint").status == 400);
}

TEST_CASE("a run's settings are the merged run settings, its billing zero tokens", "[e2e]") {
  running_server s;
  auto real = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs",
                   exec_manifest(command_workflow("true"), s.dir.path)).body, "id");
  auto dry_manifest = exec_manifest(command_workflow("true"), s.dir.path);
  dry_manifest.replace(dry_manifest.find("\"dry_run\":false"), 15, "\"dry_run\":true");
  auto dry = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs", dry_manifest).body, "id");
  auto settings = s.get("/api/v1/runs/" + real + "/settings");
  REQUIRE(settings.status == 200);
  {
    doc d(settings.body);
    std::string_view mode, approval, sandbox;
    REQUIRE_FALSE(d.root["run"]["execution"]["mode"].get(mode));
    CHECK(mode == "normal");
    REQUIRE_FALSE(d.root["run"]["execution"]["approval"].get(approval));
    CHECK(approval == "prompt");
    REQUIRE_FALSE(d.root["run"]["sandbox"]["provider"].get(sandbox));
    CHECK(sandbox == "local");
  }
  {
    doc d(s.get("/api/v1/runs/" + dry + "/settings").body);
    std::string_view mode;
    REQUIRE_FALSE(d.root["run"]["execution"]["mode"].get(mode));
    CHECK(mode == "dry_run");
  }
  auto billing = s.get("/api/v1/runs/" + dry + "/billing");
  REQUIRE(billing.status == 200);
  {
    doc d(billing.body);
    int64_t tokens = -1;
    REQUIRE_FALSE(d.root["totals"]["total_tokens"].get(tokens));
    CHECK(tokens == 0);
    simdjson::dom::array stages;
    REQUIRE_FALSE(d.root["stages"].get(stages));
    CHECK(stages.size() == 0);
  }
  for (auto route : {"/settings", "/billing"})
    CHECK(s.get(std::string("/api/v1/runs/") + kUnknown + route).status == 404);
}

TEST_CASE("system info and disk usage count the stored and the active runs", "[e2e]") {
  running_server s;
  for (int i = 0; i < 3; ++i)
    REQUIRE(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  REQUIRE(http_request(s.port(), "POST", "/api/v1/runs?start=true",
                       exec_manifest(command_workflow("sleep 30"), s.dir.path)).status == 201);
  auto info = s.get("/api/v1/system/info");
  REQUIRE(info.status == 200);
  {
    doc d(info.body);
    uint64_t total = 0, active = 0;
    REQUIRE_FALSE(d.root["runs"]["total"].get(total));
    REQUIRE_FALSE(d.root["runs"]["active"].get(active));
    CHECK(total == 4);
    CHECK(active == 1);  // the sleeping run; the three submitted ones wait unqueued
    std::string_view engine, dir;
    REQUIRE_FALSE(d.root["storage_engine"].get(engine));
    CHECK(engine == "sqlite");
    REQUIRE_FALSE(d.root["storage_dir"].get(dir));
    CHECK(std::filesystem::equivalent(std::string(dir), s.dir.path + "/data"));
  }
  auto df = s.get("/api/v1/system/df");
  REQUIRE(df.status == 200);
  doc d(df.body);
  uint64_t count = 0, size = 0, total = 0;
  REQUIRE_FALSE(d.root["summary"].at(0)["count"].get(count));
  REQUIRE_FALSE(d.root["summary"].at(0)["size_bytes"].get(size));
  REQUIRE_FALSE(d.root["total_size_bytes"].get(total));
  CHECK(count == 4);
  CHECK(size > 0);
  CHECK(total == size);
  CHECK(d.root["runs"].is_null());
  // Service routes: no token, no answer.
  CHECK(http_request_auth(s.port(), "", "GET", "/api/v1/system/info").status == 401);
}

TEST_CASE("the board shows running runs as working and completed ones as merge, and no other",
          "[e2e]") {
  running_server s;
  REQUIRE(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  auto done = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("true"), s.dir.path)).body, "id");
  REQUIRE(eventually([&] { return s.status(done) == "completed"; }));
  auto busy = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("sleep 30"), s.dir.path)).body, "id");
  REQUIRE(eventually([&] { return s.status(busy) == "running"; }));
  auto board = s.get("/api/v1/boards/runs");
  REQUIRE(board.status == 200);
  auto items = data_items(board.body);
  REQUIRE(items.size() == 2);  // the submitted run has no column
  CHECK(json_string_field(items[0], "id") == busy);
  CHECK(json_string_field(items[0], "status") == "working");
  CHECK(json_string_field(items[1], "id") == done);
  CHECK(json_string_field(items[1], "status") == "merge");
  CHECK(board.body.find("\"has_more\":false") != std::string::npos);
  auto first = s.get("/api/v1/boards/runs?page[limit]=1");
  REQUIRE(data_items(first.body).size() == 1);
  CHECK(first.body.find("\"has_more\":true") != std::string::npos);
  auto second = s.get("/api/v1/boards/runs?page[limit]=1&page[offset]=1");
  REQUIRE(data_items(second.body).size() == 1);
  CHECK(json_string_field(data_items(second.body)[0], "id") == done);
}

TEST_CASE("a command stage's output is listed and downloaded as artifacts, and uploads join it",
          "[e2e]") {
  running_server s;
  auto id = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("echo out-text"), s.dir.path)).body, "id");
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }));
  auto list = s.get("/api/v1/runs/" + id + "/artifacts");
  REQUIRE(list.status == 200);
  auto items = data_items(list.body);
  REQUIRE(items.size() == 2);  // stderr, stdout
  CHECK(json_string_field(items[1], "relative_path") == "attempt-1/stdout");
  auto stage = json_string_field(items[1], "stage_id");
  CHECK(stage == "work@1");
  CHECK(json_string_field(items[1], "node_slug") == "work");
  auto base = "/api/v1/runs/" + id + "/stages/" + stage + "/artifacts";
  auto out = s.get(base + "/download?filename=attempt-1/stdout");
  CHECK(out.status == 200);
  CHECK(out.header("content-type") == "application/octet-stream");
  CHECK(out.body == "out-text\n");

  auto put = http_request(s.port(), "POST", base + "?filename=reports/summary.txt", "all good");
  CHECK(put.status == 204);
  CHECK(put.body.empty());
  CHECK(s.get(base + "/download?filename=reports/summary.txt").body == "all good");
  auto names = data_items(s.get(base).body);
  REQUIRE(names.size() == 3);
  CHECK(json_string_field(names[2], "filename") == "reports/summary.txt");

  // Bad input changes nothing.
  CHECK(http_request(s.port(), "POST", base + "?filename=../escape", "x").status == 400);
  CHECK(http_request(s.port(), "POST", base, "x").status == 400);
  auto multipart = http_request(s.port(), "POST", base + "?filename=m.txt", "--b\r\n--b--\r\n",
                                "Content-Type: multipart/form-data; boundary=b\r\n");
  CHECK(multipart.status == 400);
  CHECK(multipart.body.find("Multipart uploads are not accepted") != std::string::npos);
  CHECK(s.get(base + "/download").status == 400);
  CHECK(s.get(base + "/download?filename=nope").status == 404);
  CHECK(s.get(std::string("/api/v1/runs/") + kUnknown + "/artifacts").status == 404);
  CHECK(http_request(s.port(), "POST",
                     std::string("/api/v1/runs/") + kUnknown + "/stages/a@1/artifacts?filename=f",
                     "x").status == 404);
  CHECK(data_items(s.get(base).body).size() == 3);
}

TEST_CASE("a run's state is Fabro's RunProjection folded from its event log", "[e2e]") {
  running_server s;
  auto waiting = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  {
    auto r = s.get("/api/v1/runs/" + waiting + "/state");
    REQUIRE(r.status == 200);
    doc d(r.body);
    std::string_view status, source;
    REQUIRE_FALSE(d.root["status"]["status"].get(status));
    CHECK(status == "submitted");
    REQUIRE_FALSE(d.root["graph_source"].get(source));
    CHECK(source.find("digraph T") != std::string_view::npos);
    CHECK(d.root["checkpoint"].is_null());
  }
  auto r = http_request(s.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("echo hi"), s.dir.path));
  REQUIRE(r.status == 201);
  auto id = json_string_field(r.body, "id");
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }));
  auto state = s.get("/api/v1/runs/" + id + "/state");
  REQUIRE(state.status == 200);
  doc d(state.body);
  std::string_view v;
  REQUIRE_FALSE(d.root["status"]["status"].get(v));
  CHECK(v == "succeeded");
  REQUIRE_FALSE(d.root["run"]["run_id"].get(v));
  CHECK(v == id);
  REQUIRE_FALSE(d.root["nodes"]["work@1"]["stdout"].get(v));
  CHECK(v == "hi\n");
  REQUIRE_FALSE(d.root["nodes"]["work@1"]["status"]["status"].get(v));
  CHECK(v == "success");
  REQUIRE_FALSE(d.root["conclusion"]["status"].get(v));
  CHECK(v == "success");
  simdjson::dom::array checkpoints;
  REQUIRE_FALSE(d.root["checkpoints"].get(checkpoints));
  CHECK(checkpoints.size() >= 2);  // one per executed stage
  REQUIRE_FALSE(d.root["checkpoint"]["current_node"].get(v));

  CHECK(s.get(std::string("/api/v1/runs/") + kUnknown + "/state").status == 404);
  CHECK(s.get("/api/v1/runs/nope/state").status == 400);
}

TEST_CASE("a run's stages are listed with their status and turns are empty", "[e2e]") {
  running_server s;
  auto r = http_request(s.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("echo hi"), s.dir.path));
  REQUIRE(r.status == 201);
  auto id = json_string_field(r.body, "id");
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }));
  auto stages = s.get("/api/v1/runs/" + id + "/stages");
  REQUIRE(stages.status == 200);
  doc d(stages.body);
  simdjson::dom::array data;
  REQUIRE_FALSE(d.root["data"].get(data));
  REQUIRE(data.size() == 3);  // start, work, exit
  std::string_view v;
  REQUIRE_FALSE(data.at(1)["id"].get(v));
  CHECK(v == "work@1");
  REQUIRE_FALSE(data.at(1)["status"].get(v));
  CHECK(v == "completed");
  REQUIRE_FALSE(data.at(1)["dot_id"].get(v));
  CHECK(v == "work");
  auto page = s.get("/api/v1/runs/" + id + "/stages?page[limit]=1&page[offset]=2");
  doc p(page.body);
  REQUIRE_FALSE(p.root["data"].get(data));
  REQUIRE(data.size() == 1);
  REQUIRE_FALSE(data.at(0)["id"].get(v));
  CHECK(v == "exit@1");

  auto turns = s.get("/api/v1/runs/" + id + "/stages/work@1/turns");
  CHECK(turns.status == 200);
  CHECK(turns.body == "{\"data\":[],\"meta\":{\"has_more\":false}}");
  auto none = s.get("/api/v1/runs/" + id + "/stages/work@9/turns");
  CHECK(none.status == 404);
  CHECK(none.body.find("Stage not found.") != std::string::npos);
  CHECK(s.get(std::string("/api/v1/runs/") + kUnknown + "/stages").status == 404);
}

TEST_CASE("sandbox access answers 409 for a local run and 404 for an unknown one", "[e2e]") {
  running_server s;
  auto id = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  struct call {
    const char* method;
    std::string path, body;
  };
  for (const auto& c : std::vector<call>{
           {"POST", "/preview", "{\"port\":3000,\"expires_in_secs\":60}"},
           {"POST", "/ssh", "{\"ttl_minutes\":5}"},
           {"GET", "/sandbox/files?path=/", ""},
           {"GET", "/sandbox/file?path=/etc/passwd", ""},
           {"PUT", "/sandbox/file?path=x", "bytes"}}) {
    INFO(c.method << " " << c.path);
    auto r = http_request(s.port(), c.method, "/api/v1/runs/" + id + c.path, c.body);
    CHECK(r.status == 409);
    CHECK(r.body.find("Run has no active sandbox") != std::string::npos);
    CHECK(http_request(s.port(), c.method, std::string("/api/v1/runs/") + kUnknown + c.path,
                       c.body).status == 404);
  }
}

TEST_CASE("verbose disk usage streams a row per run and counts finished runs as reclaimable",
          "[e2e]") {
  running_server s;
  auto done = json_string_field(
      http_request(s.port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("echo hi"), s.dir.path)).body, "id");
  REQUIRE(eventually([&] { return s.status(done) == "completed"; }));
  for (int i = 0; i < 299; ++i)  // more than one page of 256
    REQUIRE(http_request(s.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  auto df = s.get("/api/v1/system/df?verbose=true");
  REQUIRE(df.status == 200);
  CHECK(df.headers["transfer-encoding"] == "chunked");
  doc d(df.body);
  simdjson::dom::array rows;
  REQUIRE_FALSE(d.root["runs"].get(rows));
  REQUIRE(rows.size() == 300);
  std::set<std::string> ids;
  uint64_t reclaimable_sum = 0;
  for (auto row : rows) {
    std::string_view id, status;
    uint64_t size = 0;
    bool reclaimable = false;
    REQUIRE_FALSE(row["run_id"].get(id));
    REQUIRE_FALSE(row["status"].get(status));
    REQUIRE_FALSE(row["size_bytes"].get(size));
    REQUIRE_FALSE(row["reclaimable"].get(reclaimable));
    ids.insert(std::string(id));
    CHECK(size > 0);
    CHECK(reclaimable == (id == done));
    CHECK((status == "completed") == (id == done));
    if (reclaimable) reclaimable_sum += size;
  }
  CHECK(ids.size() == 300);
  CHECK(reclaimable_sum > 0);
  uint64_t reclaimable = 0, total = 0, count = 0;
  REQUIRE_FALSE(d.root["summary"].at(0)["reclaimable_bytes"].get(reclaimable));
  REQUIRE_FALSE(d.root["total_reclaimable_bytes"].get(total));
  REQUIRE_FALSE(d.root["summary"].at(0)["count"].get(count));
  CHECK(reclaimable == reclaimable_sum);
  CHECK(total == reclaimable_sum);
  CHECK(count == 300);
  CHECK(s.get("/api/v1/system/df?verbose=maybe").status == 400);
}

TEST_CASE("a long run's checkpoints take store space linear in its stages and read back whole",
          "[e2e]") {
  // 1,500 stages: each checkpoint.completed once repeated every node before
  // it (~45 MB of events here); as deltas they stay a few hundred bytes.
  const int stages = 600;
  std::string dot = "digraph Long { start [shape=Mdiamond] exit [shape=Msquare]\n";
  std::string edges = "start";
  for (int i = 1; i <= stages; ++i) {
    dot += "node_" + std::to_string(i) + " [shape=box, prompt=\"p\"]\n";
    edges += " -> node_" + std::to_string(i);
  }
  dot += edges + " -> exit }";
  running_server s;
  auto r = http_request(s.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(dot, s.dir.path, /*dry_run=*/true));
  REQUIRE(r.status == 201);
  auto id = json_string_field(r.body, "id");
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }, std::chrono::seconds(120)));

  auto df = s.get("/api/v1/system/df?verbose=true");
  REQUIRE(df.status == 200);
  doc usage(df.body);
  uint64_t bytes = 0;
  REQUIRE_FALSE(usage.root["runs"].at(0)["size_bytes"].get(bytes));
  CHECK(bytes < 3'000'000);  // ~1 MB; each event whole: ~9 MB

  auto c = s.get("/api/v1/runs/" + id + "/checkpoint");
  REQUIRE(c.status == 200);
  doc cp(c.body);
  simdjson::dom::array done;
  REQUIRE_FALSE(cp.root["completed_nodes"].get(done));
  CHECK(done.size() == stages + 1);  // start and every stage

  auto st = s.get("/api/v1/runs/" + id + "/state");
  REQUIRE(st.status == 200);
  doc state(st.body);
  simdjson::dom::array checkpoints, last;
  REQUIRE_FALSE(state.root["checkpoints"].get(checkpoints));
  CHECK(checkpoints.size() == stages + 1);
  REQUIRE_FALSE(state.root["checkpoint"]["completed_nodes"].get(last));
  CHECK(last.size() == stages + 1);
  std::string_view tenth;
  REQUIRE_FALSE(state.root["checkpoints"].at(10).at(1)["completed_nodes"].at(10).get(tenth));
  CHECK(tenth == "node_10");
}
