// The client commands of the binary (submit, status, list, cancel, events)
// against the real server, and the manifest `submit` builds from a fixture
// workflow tree (tests/fixtures/cli: an @file prompt, a child workflow and a
// sibling workflow.toml).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <simdjson.h>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/stand_in_llm.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(FABRO_SOURCE_DIR) + "/tests/fixtures/cli";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string str(simdjson::dom::element e) {
  std::string_view v;
  return e.get(v) ? std::string("<not a string>") : std::string(v);
}

// A copy of the fixtures under `root/sub` (outside any git work tree), so
// the manifest's keys, cwd and (absent) git state are known.
std::string copy_fixtures(const std::string& root, const std::string& sub) {
  auto dest = fs::path(root) / sub;
  fs::create_directories(dest);
  fs::copy(kFixtures, dest, fs::copy_options::recursive);
  return dest.string();
}

struct client_server {
  temp_dir dir;
  server_process server{dir.path + "/data"};
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
  // Runs a client command in the fixture copy with --server and --token.
  binary_output cli(std::vector<std::string> args, const std::string& cwd = "") {
    args.insert(args.end(), {"--server", url(), "--token", kTestDevToken});
    return run_binary_in(cwd.empty() ? dir.path : cwd, args);
  }
  std::string status(const std::string& id) {
    return json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                             "status");
  }
};

// The run id of `submit`'s first line, "run <ID> submitted".
std::string submitted_id(const std::string& out) {
  auto at = out.find("run ");
  return at == std::string::npos ? "" : out.substr(at + 4, 26);
}

}  // namespace

TEST_CASE("submit --print-manifest bundles @file prompts, the child workflow and workflow.toml "
          "under cwd-relative keys", "[e2e]") {
  temp_dir root;
  auto flows = copy_fixtures(root.path, "flows");
  auto r = run_binary_in(root.path, {"submit", "flows/main.fabro", "--print-manifest", "--dry-run",
                                     "--auto-approve", "--label", "team=infra", "--label",
                                     "env=test", "--goal", "Ship it"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element m;
  REQUIRE_FALSE(parser.parse(r.out).get(m));

  int64_t version = 0;
  CHECK_FALSE(m["version"].get(version));
  CHECK(version == 1);
  CHECK(fs::equivalent(str(m["cwd"]), root.path));
  simdjson::dom::element ignored;
  CHECK(m["git"].get(ignored) == simdjson::NO_SUCH_FIELD);  // not a git work tree
  CHECK(str(m["goal"]["type"]) == "value");
  CHECK(str(m["goal"]["text"]) == "Ship it");
  CHECK(str(m["target"]["path"]) == "flows/main.fabro");

  bool dry = false, approve = false;
  CHECK_FALSE(m["args"]["dry_run"].get(dry));
  CHECK_FALSE(m["args"]["auto_approve"].get(approve));
  CHECK(dry);
  CHECK(approve);
  simdjson::dom::array labels;
  REQUIRE_FALSE(m["args"]["label"].get(labels));
  REQUIRE(labels.size() == 2);
  CHECK(str(labels.at(0)) == "team=infra");
  CHECK(str(labels.at(1)) == "env=test");

  simdjson::dom::object workflows;
  REQUIRE_FALSE(m["workflows"].get(workflows));
  CHECK(workflows.size() == 2);  // the target and its child, nothing else

  auto main_wf = m["workflows"]["flows/main.fabro"];
  CHECK(str(main_wf["source"]) == slurp(flows + "/main.fabro"));
  CHECK(str(main_wf["config"]["path"]) == "flows/workflow.toml");
  CHECK(str(main_wf["config"]["source"]) == slurp(flows + "/workflow.toml"));
  auto prompt = main_wf["files"]["flows/prompts/p.md"];
  CHECK(str(prompt["content"]) == slurp(flows + "/prompts/p.md"));
  CHECK(str(prompt["ref"]["type"]) == "file_inline");
  CHECK(str(prompt["ref"]["original"]) == "@prompts/p.md");
  CHECK(str(prompt["ref"]["from"]) == "flows/main.fabro");

  auto child = m["workflows"]["flows/child.fabro"];
  CHECK(str(child["source"]) == slurp(flows + "/child.fabro"));
  CHECK(str(child["config"]["path"]) == "flows/workflow.toml");
  simdjson::dom::object child_files;
  REQUIRE_FALSE(child["files"].get(child_files));
  CHECK(child_files.size() == 0);
}

TEST_CASE("submit --print-manifest from the workflow's own directory uses bare keys, and without "
          "flags sends dry_run/auto_approve false and no goal", "[e2e]") {
  temp_dir root;
  auto flows = copy_fixtures(root.path, "w");
  auto r = run_binary_in(flows, {"submit", "main.fabro", "--print-manifest"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element m;
  REQUIRE_FALSE(parser.parse(r.out).get(m));
  CHECK(fs::equivalent(str(m["cwd"]), flows));
  CHECK(str(m["target"]["path"]) == "main.fabro");
  simdjson::dom::element ignored;
  CHECK(m["goal"].get(ignored) == simdjson::NO_SUCH_FIELD);
  bool dry = true, approve = true;
  CHECK_FALSE(m["args"]["dry_run"].get(dry));
  CHECK_FALSE(m["args"]["auto_approve"].get(approve));
  CHECK_FALSE(dry);
  CHECK_FALSE(approve);
  CHECK(str(m["workflows"]["main.fabro"]["files"]["prompts/p.md"]["ref"]["from"]) == "main.fabro");
  CHECK(str(m["workflows"]["child.fabro"]["config"]["path"]) == "workflow.toml");
}

TEST_CASE("submit of a missing file is one error line and exit 2", "[e2e]") {
  temp_dir root;
  auto r = run_binary_in(root.path, {"submit", "nope.fabro", "--print-manifest"});
  CHECK(r.code == 2);
  CHECK(r.err.rfind("error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("submit --follow --dry-run of the fixture runs it to completion and exits 0", "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto flows = copy_fixtures(s.dir.path, "flows");
  auto r = s.cli({"submit", "main.fabro", "--follow", "--dry-run", "--auto-approve"}, flows);
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  auto id = submitted_id(r.out);
  REQUIRE(id.size() == 26);
  CHECK(r.out.find("✓ plan") != std::string::npos);
  CHECK(r.out.find("✓ sub") != std::string::npos);
  CHECK(r.out.find("run completed") != std::string::npos);
  CHECK(s.status(id) == "completed");
  // The server kept the bundled prompt: the stored manifest names it.
  auto events = s.cli({"events", id});
  CHECK(events.code == 0);
  CHECK(events.out.find("\"event\":\"run.completed\"") != std::string::npos);
}

TEST_CASE("submit --follow of a failing command exits non-zero and says why", "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto flows = copy_fixtures(s.dir.path, "flows");
  auto r = s.cli({"submit", "failing.fabro", "--follow"}, flows);
  INFO(r.out << r.err);
  CHECK(r.code != 0);
  CHECK(r.code != -1);  // it ended by itself
  CHECK(r.out.find("✗ fail") != std::string::npos);
  CHECK(r.out.find("run failed") != std::string::npos);
  CHECK(s.status(submitted_id(r.out)) == "failed");
}

TEST_CASE("submit --no-start leaves the run submitted, cancel cancels it", "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto flows = copy_fixtures(s.dir.path, "flows");
  auto r = s.cli({"submit", "slow.fabro", "--no-start", "--label", "k=v"}, flows);
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  auto id = submitted_id(r.out);
  REQUIRE(id.size() == 26);
  CHECK(s.status(id) == "submitted");

  auto st = s.cli({"status", id});
  CHECK(st.code == 0);
  CHECK(json_string_field(st.out, "status") == "submitted");

  auto cancel = s.cli({"cancel", id});
  INFO(cancel.out << cancel.err);
  CHECK(cancel.code == 0);
  CHECK(json_string_field(cancel.out, "status") == "cancelled");
  CHECK(s.status(id) == "cancelled");

  // A second cancel is refused by the server: one readable line, non-zero.
  auto again = s.cli({"cancel", id});
  CHECK(again.code != 0);
  CHECK(again.err.find("not cancellable") != std::string::npos);
  CHECK(std::count(again.err.begin(), again.err.end(), '\n') == 1);
}

TEST_CASE("cancel of a running run ends it cancelled, pause/unpause reach the server",
          "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto flows = copy_fixtures(s.dir.path, "flows");
  auto r = s.cli({"submit", "slow.fabro"}, flows);
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  auto id = submitted_id(r.out);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (s.status(id) != "running" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE(s.status(id) == "running");
  auto pause = s.cli({"pause", id});
  CHECK(pause.code == 0);
  CHECK(json_string_field(pause.out, "pending_control") == "pause");
  deadline = std::chrono::steady_clock::now() + 20s;
  while (s.status(id) != "paused" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(s.cli({"unpause", id}).code == 0);
  auto cancel = s.cli({"cancel", id});
  CHECK(cancel.code == 0);
  deadline = std::chrono::steady_clock::now() + 20s;
  while (s.status(id) != "cancelled" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(s.status(id) == "cancelled");
}

TEST_CASE("list shows runs newest first, events prints one JSON envelope per line", "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto flows = copy_fixtures(s.dir.path, "flows");
  auto first = submitted_id(s.cli({"submit", "main.fabro", "--no-start"}, flows).out);
  auto second = submitted_id(s.cli({"submit", "child.fabro", "--no-start"}, flows).out);
  REQUIRE(first.size() == 26);
  REQUIRE(second.size() == 26);

  auto list = s.cli({"list"});
  INFO(list.out << list.err);
  REQUIRE(list.code == 0);
  CHECK(list.out.rfind("ID", 0) == 0);  // a header line
  auto at_first = list.out.find(first), at_second = list.out.find(second);
  REQUIRE(at_first != std::string::npos);
  REQUIRE(at_second != std::string::npos);
  CHECK(at_second < at_first);
  CHECK(list.out.find("submitted") != std::string::npos);
  CHECK(list.out.find("CliFixture") != std::string::npos);

  auto events = s.cli({"events", first});
  REQUIRE(events.code == 0);
  std::istringstream lines(events.out);
  std::string line;
  std::vector<std::string> names;
  simdjson::dom::parser parser;
  while (std::getline(lines, line)) {
    simdjson::dom::element e;
    REQUIRE_FALSE(parser.parse(line).get(e));
    names.push_back(str(e["event"]));
    CHECK(str(e["run_id"]) == first);
  }
  CHECK(names == std::vector<std::string>{"run.created", "run.submitted"});

  auto unknown = s.cli({"status", "01JRZ3NDEKTSV4RRFFQ69G5FAV"});
  CHECK(unknown.code != 0);
  CHECK(unknown.err == "error: Run not found. (HTTP 404)\n");
}

TEST_CASE("client commands read the token from FABRO_DEV_TOKEN and report a bad one", "[e2e]") {
  client_server s;
  REQUIRE(s.server.started());
  auto ok = run_binary_in(s.dir.path, {"list", "--server", s.url()},
                          {{"FABRO_DEV_TOKEN", std::string(kTestDevToken)}});
  CHECK(ok.code == 0);
  auto bad = run_binary_in(s.dir.path, {"list", "--server", s.url(), "--token", "fabro_dev_nope"});
  CHECK(bad.code != 0);
  CHECK(bad.err == "error: Authentication required. (HTTP 401)\n");
}

TEST_CASE("an unreachable server is one readable error line and a non-zero exit", "[e2e]") {
  temp_dir root;
  copy_fixtures(root.path, "flows");
  // A port nobody listens on: bind, read it, close.
  temp_dir data;
  uint16_t port;
  {
    server_process probe(data.path + "/d");
    REQUIRE(probe.started());
    port = probe.port();
    probe.stop();
  }
  auto url = "http://127.0.0.1:" + std::to_string(port);
  for (auto args : std::vector<std::vector<std::string>>{
           {"submit", "flows/main.fabro", "--server", url, "--token", kTestDevToken},
           {"status", "01JRZ3NDEKTSV4RRFFQ69G5FAV", "--server", url},
           {"list", "--server", url}}) {
    auto r = run_binary_in(root.path, args, {{"FABRO_SERVER", std::nullopt}}, 20000);
    INFO(args[0] << ": " << r.err);
    CHECK(r.code != 0);
    CHECK(r.code != -1);
    CHECK(r.err.rfind("error: cannot reach the server at " + url, 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
  }
  // FABRO_SERVER is the default URL.
  auto env = run_binary_in(root.path, {"list"}, {{"FABRO_SERVER", url}}, 20000);
  CHECK(env.err.rfind("error: cannot reach the server at " + url, 0) == 0);
}

TEST_CASE("the client decodes a chunked answer (libcurl)", "[e2e]") {
  stand_in_llm server;  // any HTTP server that answers as scripted
  stand_in_reply chunked;
  chunked.headers = {"Content-Type: application/json", "Transfer-Encoding: chunked"};
  chunked.pieces = {"e\r\n{\"id\":\"R1\",\"st\r\n", "10\r\natus\":\"running\"}\r\n", "0\r\n\r\n"};
  server.script({chunked});
  auto [code, out] = run_binary({"status", "R1", "--server", server.base_url(), "--token", "t"});
  CHECK(code == 0);
  CHECK(out.find("{\"id\":\"R1\",\"status\":\"running\"}") != std::string::npos);
  auto got = server.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/api/v1/runs/R1");
  CHECK(got[0].headers["authorization"] == "Bearer t");
}
