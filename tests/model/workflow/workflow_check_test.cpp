#include "model/workflow/workflow_check.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace fabro::model;
namespace fs = std::filesystem;

namespace {

const fs::path fixtures =
    fs::path(FABRO_SOURCE_DIR) / "tests" / "fixtures" / "workflows";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> fabro_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".fabro") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every valid fixture checks clean, without even a warning",
          "[workflow_check]") {
  auto files = fabro_files(fixtures / "valid");
  REQUIRE(files.size() >= 6);
  for (const auto& f : files) {
    INFO(f.filename().string());
    auto check = check_workflow(read(f));
    CHECK(check.ok());
    CHECK(render_diagnostics(check.diagnostics, f.filename().string()) == "");
    CHECK(check.graph.has_value());
  }
}

// Each invalid/<rule>.fabro has invalid/<rule>.expected: the exact rendered
// diagnostics. Run with FABRO_UPDATE_FIXTURES=1 to rewrite them (then review
// the diff by hand).
TEST_CASE("every invalid fixture yields exactly its expected diagnostics",
          "[workflow_check]") {
  bool update = std::getenv("FABRO_UPDATE_FIXTURES") != nullptr;
  auto files = fabro_files(fixtures / "invalid");
  REQUIRE(files.size() >= 27);
  for (const auto& f : files) {
    INFO(f.filename().string());
    auto check = check_workflow(read(f));
    std::string name = "invalid/" + f.filename().string();
    std::string got = render_diagnostics(check.diagnostics, name);
    fs::path expected = f;
    expected.replace_extension(".expected");
    if (update) std::ofstream(expected, std::ios::binary) << got;
    CHECK(got == read(expected));
    // The fixture is named after the rule it demonstrates.
    std::string rule = f.stem().string();
    bool fires = false;
    for (const auto& d : check.diagnostics) {
      fires = fires || rule.rfind(d.rule, 0) == 0;
    }
    CHECK(fires);
  }
}

TEST_CASE("a parse error yields no graph and one positioned diagnostic",
          "[workflow_check]") {
  auto check = check_workflow("digraph G {\n  a -> \"b\"\n}");
  CHECK_FALSE(check.ok());
  CHECK_FALSE(check.graph);
  REQUIRE(check.diagnostics.size() == 1);
  CHECK(render_diagnostic(check.diagnostics[0], "w.fabro") ==
        "w.fabro:2:8: error: quoted node IDs are not supported [parse]");
}

TEST_CASE("load_workflow returns the graph or every diagnostic",
          "[workflow_check]") {
  auto good = load_workflow(read(fixtures / "valid" / "command_pipeline.fabro"));
  REQUIRE(good.ok());
  CHECK(good->nodes().size() == 4);
  auto bad = load_workflow("digraph G { start [shape=Mdiamond] start -> x }");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == errc::validation_failed);
  CHECK(bad.error().detail == "Validation failed");
  CHECK(bad.error().diagnostics.size() >= 2);
}

TEST_CASE("the goal override and @file inlining happen before validation",
          "[workflow_check]") {
  auto src = read(fixtures / "invalid" / "unresolved_file_ref.fabro");
  workflow_check_config config;
  config.files["prompts/work.md"] = "Do 5m of work";
  config.goal_override = "Ship it";
  auto check = check_workflow(src, config);
  CHECK(check.ok());
  CHECK(check.graph->goal() == "Ship it");
  CHECK(check.graph->find_node("work")->prompt() == "Do 5m of work");

  workflow_check_config goal_file;
  goal_file.files["goal.md"] = "From a file";
  goal_file.files["prompts/work.md"] = "x";
  auto g = check_workflow(src, goal_file);
  CHECK(g.ok());
  CHECK(g.graph->goal() == "From a file");
}

TEST_CASE("diagnostics render compiler-style, with or without a position",
          "[workflow_check]") {
  diagnostic d;
  d.rule = "reachability";
  d.level = severity::warning;
  d.message = "Node 'x' is not reachable from the start node";
  d.line = 4;
  d.column = 3;
  CHECK(render_diagnostic(d, "a.fabro") ==
        "a.fabro:4:3: warning: Node 'x' is not reachable from the start node "
        "[reachability]");
  d.line = 0;
  CHECK(render_diagnostics({d, d}, "a.fabro") ==
        "a.fabro: warning: Node 'x' is not reachable from the start node "
        "[reachability]\n"
        "a.fabro: warning: Node 'x' is not reachable from the start node "
        "[reachability]\n");
}
