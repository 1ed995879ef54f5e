// libFuzzer target: .fabro source → parse, validate, write back, re-parse;
// the same bytes also go through the template renderer. Built and run by
// scripts/fuzz.sh, never by CMake or CI. A crash, hang, sanitizer report or
// a broken round trip (written DOT that no longer parses) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/workflow/dot_writer.hpp"
#include "model/workflow/graph_builder.hpp"
#include "model/workflow/template_render.hpp"
#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  workflow_check_config cfg;
  cfg.files = {{"p.md", "inlined"}};
  auto check = check_workflow(text, cfg);
  (void)render_diagnostics(check.diagnostics, "fuzz.fabro");
  if (check.graph) {
    auto again = parse_workflow(write_dot(*check.graph));
    if (!again || again->nodes().size() != check.graph->nodes().size() ||
        again->edges().size() != check.graph->edges().size())
      std::abort();
  }
  template_vars vars;
  vars.goal = "g";
  vars.inputs = {{"x", "1"}};
  (void)render_template(text, vars);
  vars.keep_goal_and_raw = true;
  (void)render_template(text, vars);
  return 0;
}
