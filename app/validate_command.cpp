#include "app/validate_command.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

namespace fabro::app {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The `@…` references still unresolved in a checked workflow.
std::set<std::string> file_refs(const model::workflow_check& c) {
  std::set<std::string> out;
  if (!c.graph) return out;
  auto add = [&](const model::attr_map& attrs, const char* key) {
    auto v = model::get_string(attrs, key);
    if (v && v->size() > 1 && (*v)[0] == '@') out.insert(v->substr(1));
  };
  add(c.graph->attrs, "goal");
  for (const auto& n : c.graph->nodes()) add(n.attrs, "prompt");
  return out;
}

}  // namespace

int validate_command(const std::string& path, std::ostream& out, std::ostream& err) {
  auto source = read_file(path);
  if (!source) {
    err << path << ": error: cannot read the workflow file\n";
    return 2;
  }
  // A one-workflow bundle, as the CLI would send it; files added once known.
  model::run_manifest m;
  fs::path file(path);
  std::string key = file.filename().string();
  m.cwd = file.parent_path().string();
  m.target = {path, key};
  m.workflows[key].source = *source;
  auto b = model::check_bundle(m);
  if (!b) {
    err << path << ": error: " << b.error().detail << "\n";
    return 1;
  }
  auto refs = file_refs(b->target);
  if (!refs.empty()) {
    std::size_t i = 0;
    for (const auto& ref : refs) {
      auto content = read_file(file.parent_path() / ref);
      if (!content) continue;
      // Looked up by the reference as written (manifest_bundle's file_map).
      auto& entry = m.workflows[key].files[".validate/" + std::to_string(i++)];
      entry.content = std::move(*content);
      entry.ref.original = ref;
    }
    b = model::check_bundle(m);
    if (!b) {
      err << path << ": error: " << b.error().detail << "\n";
      return 1;
    }
  }
  const auto& diags = b->target.diagnostics;
  err << model::render_diagnostics(diags, path);
  std::size_t errors = 0;
  for (const auto& d : diags) errors += d.level == model::severity::error;
  std::size_t warnings = diags.size() - errors;
  if (errors) {
    out << path << ": invalid: " << errors << " error(s), " << warnings << " warning(s)\n";
    return 1;
  }
  out << path << ": valid";
  if (warnings) out << " (" << warnings << " warning(s))";
  out << "\n";
  return 0;
}

}  // namespace fabro::app
