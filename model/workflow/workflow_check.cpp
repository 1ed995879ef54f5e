#include "model/workflow/workflow_check.hpp"

#include "model/workflow/graph_builder.hpp"
#include "model/workflow/validate.hpp"

namespace fabro::model {
namespace {

// Replaces an `@path` value with the file's content when the map has it.
void inline_file(attr_map& attrs, const char* key,
                 const std::map<std::string, std::string>& files) {
  auto v = get_string(attrs, key);
  if (!v || v->empty() || (*v)[0] != '@') return;
  std::string path = v->substr(1);
  if (path.rfind("./", 0) == 0) path.erase(0, 2);
  auto it = files.find(path);
  // Inlined text is content, not a DOT value: it never becomes a duration.
  if (it != files.end()) attrs[key] = attr_value::from_bare(it->second);
}

}  // namespace

bool workflow_check::ok() const { return !has_errors(diagnostics); }

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
  inline_file(g.attrs, "goal", config.files);
  for (const auto& n : g.nodes()) {
    inline_file(g.find_node(n.id)->attrs, "prompt", config.files);
  }
  out.diagnostics = validate_graph(g);
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
