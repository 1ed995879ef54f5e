// Workflow checking end to end: POST /runs rejecting invalid workflows and
// bad TOML, POST /validate, POST /preflight, and `fabro-orchestrator
// validate` on the fixture corpus.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/json_writer.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;
namespace fs = std::filesystem;

namespace {

struct running_server {
  temp_dir dir;
  server_process server{dir.path + "/data"};
  uint16_t port() const { return server.port(); }
  http_response post(const std::string& path, const std::string& body) const {
    return http_request(port(), "POST", path, body);
  }
};

std::string quoted(const std::string& s) {
  std::string out;
  fabro::model::append_json_string(out, s);
  return out;
}

// A manifest whose target `w.fabro` has `source`; `extra` adds top-level
// fields (leading comma included), `config` a workflow TOML.
std::string manifest_with(const std::string& source, const std::string& extra = "",
                          const std::string& config = "", const std::string& cwd = "/tmp") {
  std::string cfg = config.empty() ? "" : ",\"config\":{\"path\":\"w.toml\",\"source\":" + quoted(config) + "}";
  return "{\"version\":1,\"cwd\":" + quoted(cwd) +
         ",\"target\":{\"identifier\":\"w\",\"path\":\"w.fabro\"}" + extra +
         ",\"workflows\":{\"w.fabro\":{\"source\":" + quoted(source) + cfg + ",\"files\":{}}}}";
}

const char* kValid =
    "digraph Ok { graph [goal=\"ship it\"] start [shape=Mdiamond] "
    "run [shape=parallelogram, script=\"echo hi\"] exit [shape=Msquare] start -> run -> exit }";
const char* kNoStart = "digraph Bad { work [prompt=\"x\"] exit [shape=Msquare] work -> exit }";

bool has(const std::string& body, const std::string& text) {
  return body.find(text) != std::string::npos;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const fs::path fixtures = fs::path(FABRO_SOURCE_DIR) / "tests" / "fixtures" / "workflows";

}  // namespace

TEST_CASE("an invalid workflow is 400 Validation failed with diagnostics, nothing created",
          "[e2e]") {
  running_server s;
  REQUIRE(s.server.started());
  auto r = s.post("/api/v1/runs", manifest_with(kNoStart));
  REQUIRE(r.status == 400);
  CHECK(json_string_field(r.body, "detail") == "Validation failed");
  CHECK(has(r.body, "\"diagnostics\":[{"));
  CHECK(has(r.body, "\"rule\":\"start_node\""));
  CHECK(has(r.body, "\"severity\":\"error\""));
  auto parse = s.post("/api/v1/runs", manifest_with("digraph P { a -- b }"));
  CHECK(parse.status == 400);
  CHECK(has(parse.body, "\"rule\":\"parse\""));
  CHECK(http_request(s.port(), "GET", "/api/v1/runs").body == "[]");
  // The minimal manifest and a valid workflow are still accepted.
  CHECK(s.post("/api/v1/runs", minimal_manifest()).status == 201);
  CHECK(s.post("/api/v1/runs", manifest_with(kValid)).status == 201);
}

TEST_CASE("a TOML settings file that does not parse is 400 with its message", "[e2e]") {
  running_server s;
  auto bad_workflow = s.post("/api/v1/runs", manifest_with(kValid, "", "[run\n"));
  CHECK(bad_workflow.status == 400);
  CHECK(json_string_field(bad_workflow.body, "detail").rfind("Failed to parse settings file: w.toml: ", 0) == 0);
  auto bad_project = s.post(
      "/api/v1/runs",
      manifest_with(kValid, ",\"configs\":[{\"type\":\"project\",\"path\":\"p.toml\",\"source\":\"x = \"}]"));
  CHECK(bad_project.status == 400);
  CHECK(json_string_field(bad_project.body, "detail").rfind("Failed to parse settings file: p.toml: ", 0) == 0);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs").body == "[]");
}

TEST_CASE("/validate answers 200 with valid and diagnostics, 400 only for bad manifests",
          "[e2e]") {
  running_server s;
  auto ok = s.post("/api/v1/validate", manifest_with(kValid));
  REQUIRE(ok.status == 200);
  CHECK(has(ok.body, "\"valid\":true,\"diagnostics\":[]"));
  CHECK(has(ok.body, "\"name\":\"Ok\""));
  auto bad = s.post("/api/v1/validate", manifest_with(kNoStart));
  REQUIRE(bad.status == 200);
  CHECK(has(bad.body, "\"valid\":false"));
  CHECK(has(bad.body, "\"rule\":\"start_node\""));
  auto parse = s.post("/api/v1/validate", manifest_with("digraph P { a -- b }"));
  CHECK(parse.status == 200);
  CHECK(has(parse.body, "\"rule\":\"parse\",\"severity\":\"error\""));
  CHECK(s.post("/api/v1/validate", "{\"version\":1}").status == 400);
  CHECK(s.post("/api/v1/validate", manifest_with(kValid, "", "[run\n")).status == 400);
  CHECK(http_request(s.port(), "GET", "/api/v1/runs").body == "[]");
}

TEST_CASE("/preflight reports the workflow and the checks that apply here", "[e2e]") {
  running_server s;
  auto ok = s.post("/api/v1/preflight", manifest_with(kValid, ",\"args\":{\"sandbox\":\"local\"}"));
  REQUIRE(ok.status == 200);
  CHECK(ok.body.rfind("{\"ok\":true,\"workflow\":{\"name\":\"Ok\",\"graph_path\":\"w.fabro\","
                      "\"nodes\":3,\"edges\":2,\"goal\":\"ship it\",\"diagnostics\":[]}",
                      0) == 0);
  for (auto name : {"Workflow is valid", "Sandbox provider is supported", "Working directory exists",
                    "Commands are runnable"})
    CHECK(has(ok.body, std::string("\"name\":\"") + name + "\",\"status\":\"pass\""));

  auto nowhere = s.post("/api/v1/preflight",
                        manifest_with(kValid, ",\"args\":{\"sandbox\":\"docker\"}", "",
                                      "/nonexistent/dir"));
  REQUIRE(nowhere.status == 200);
  CHECK(nowhere.body.rfind("{\"ok\":false,", 0) == 0);
  CHECK(has(nowhere.body, "\"name\":\"Working directory exists\",\"status\":\"error\""));
  CHECK(has(nowhere.body, "\"name\":\"Sandbox provider is supported\",\"status\":\"error\""));

  auto invalid = s.post("/api/v1/preflight", manifest_with(kNoStart));
  REQUIRE(invalid.status == 200);
  CHECK(invalid.body.rfind("{\"ok\":false,", 0) == 0);
  CHECK(has(invalid.body, "\"rule\":\"start_node\""));
  auto parse = s.post("/api/v1/preflight", manifest_with("digraph P { a -- b }"));
  CHECK(parse.status == 400);
  CHECK(json_string_field(parse.body, "detail") == "Validation failed");
}

TEST_CASE("`validate` accepts every valid fixture with exit code 0", "[e2e]") {
  for (const auto& e : fs::directory_iterator(fixtures / "valid")) {
    if (e.path().extension() != ".fabro") continue;
    INFO(e.path().string());
    auto [code, out] = run_binary({"validate", e.path().string()});
    CHECK(code == 0);
    CHECK(out == e.path().string() + ": valid\n");
  }
}

TEST_CASE("`validate` prints each invalid fixture's diagnostics compiler-style", "[e2e]") {
  int seen = 0;
  for (const auto& e : fs::directory_iterator(fixtures / "invalid")) {
    if (e.path().extension() != ".fabro") continue;
    ++seen;
    std::string path = e.path().string();
    INFO(path);
    auto expected = read(fs::path(path).replace_extension(".expected"));
    // The corpus renders paths as invalid/<name>.fabro.
    std::string rel = "invalid/" + e.path().filename().string();
    std::string want;
    for (std::size_t at = 0; at < expected.size();) {
      auto pos = expected.find(rel, at);
      if (pos == std::string::npos) {
        want += expected.substr(at);
        break;
      }
      want += expected.substr(at, pos - at) + path;
      at = pos + rel.size();
    }
    auto [code, out] = run_binary({"validate", path});
    bool errors = has(expected, ": error: ");
    CHECK(code == (errors ? 1 : 0));
    std::istringstream lines(want);
    for (std::string line; std::getline(lines, line);) CHECK(has(out, line + "\n"));
  }
  CHECK(seen >= 20);
  auto [code, out] = run_binary({"validate", "/nonexistent.fabro"});
  CHECK(code == 2);
  CHECK(out == "/nonexistent.fabro: error: cannot read the workflow file\n");
}

TEST_CASE("`validate` inlines @file prompts relative to the workflow file", "[e2e]") {
  temp_dir dir;
  fs::create_directories(dir.path + "/prompts");
  std::ofstream(dir.path + "/prompts/work.md") << "Do {{ goal }}";
  std::ofstream(dir.path + "/w.fabro")
      << "digraph W { graph [goal=\"g\"] start [shape=Mdiamond] "
         "work [prompt=\"@prompts/work.md\"] exit [shape=Msquare] start -> work -> exit }\n";
  auto [code, out] = run_binary({"validate", dir.path + "/w.fabro"});
  CHECK(code == 0);
  CHECK(out == dir.path + "/w.fabro: valid\n");
}
