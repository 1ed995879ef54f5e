#include "model/workflow/workflow_check.hpp"

#include "model/workflow/graph_builder.hpp"
#include "model/workflow/validate.hpp"

namespace fabro::model {
namespace {

// Replaces an `@path` value with the file's content when the map has it
// and the budget allows; false when the budget does not.
bool inline_file(attr_map& attrs, const char* key, const workflow_check_config& config,
                 uint64_t& used) {
  auto v = get_string(attrs, key);
  if (!v || v->empty() || (*v)[0] != '@') return true;
  std::string path = v->substr(1);
  if (path.rfind("./", 0) == 0) path.erase(0, 2);
  auto it = config.files.find(path);
  if (it == config.files.end()) return true;
  if (it->second.size() > config.max_inlined_bytes - used) return false;
  used += it->second.size();
  // Inlined text is content, not a DOT value: it never becomes a duration.
  attrs[key] = attr_value::from_bare(it->second);
  return true;
}

}  // namespace

bool workflow_check::ok() const { return !has_errors(diagnostics); }

diagnostic expansion_limit_diagnostic(uint64_t limit) {
  diagnostic d;
  d.rule = "expansion_limit";
  d.message = "@file prompts and templates expand this workflow bundle beyond " +
              std::to_string(limit) +
              " bytes (16 times its workflows and files, at least 1 MiB, at most 32 MiB)";
  return d;
}

workflow_check check_workflow(std::string_view source,
                              const workflow_check_config& config) {
  workflow_check out;
  auto parsed = parse_workflow(source);
  if (!parsed) {
    out.diagnostics = parsed.error().diagnostics;
    return out;
  }
  workflow_graph g = std::move(*parsed);
  if (!config.goal_override.empty()) {
    g.attrs["goal"] = attr_value::from_bare(config.goal_override);
  }
  bool within = inline_file(g.attrs, "goal", config, out.inlined_bytes);
  for (const auto& n : g.nodes())
    if (within) within = inline_file(g.find_node(n.id)->attrs, "prompt", config, out.inlined_bytes);
  out.diagnostics = validate_graph(g);
  if (!within) out.diagnostics.insert(out.diagnostics.begin(), expansion_limit_diagnostic(config.max_inlined_bytes));
  out.graph = std::move(g);
  return out;
}

result<workflow_graph> load_workflow(std::string_view source,
                                     const workflow_check_config& config) {
  auto check = check_workflow(source, config);
  if (check.ok()) return std::move(*check.graph);
  problem p = make_problem(errc::validation_failed, "Validation failed");
  p.diagnostics = std::move(check.diagnostics);
  return p;
}

std::string render_diagnostic(const diagnostic& d, std::string_view file) {
  std::string out(file);
  if (d.line > 0) {
    out += ':' + std::to_string(d.line) + ':' + std::to_string(d.column);
  }
  out += ": ";
  out += to_string(d.level);
  out += ": " + d.message + " [" + d.rule + "]";
  return out;
}

std::string render_diagnostics(const std::vector<diagnostic>& diags,
                               std::string_view file) {
  std::string out;
  for (const auto& d : diags) out += render_diagnostic(d, file) + '\n';
  return out;
}

}  // namespace fabro::model
