#include "app/manifest_builder.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "model/json_writer.hpp"
#include "model/workflow/attr_value.hpp"
#include "model/workflow/graph_builder.hpp"

namespace fabro::app {
namespace {

namespace fs = std::filesystem;
using model::errc;
using model::make_problem;

struct bundled_file {
  std::string content, type, original, from;
};
struct bundled_workflow {
  std::string source;
  std::string config_path, config_source;  // empty path = no config
  std::map<std::string, bundled_file> files;
};

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `ref` joined to the directory of logical path `from`, normalised, '/'.
std::string join_logical(const std::string& from, std::string ref) {
  if (ref.rfind("./", 0) == 0) ref = ref.substr(2);
  auto joined = (fs::path(from).parent_path() / ref).lexically_normal().generic_string();
  return joined.empty() ? "." : joined;
}

std::string run_command(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// origin URL without credentials ("https://user:pw@host/x" -> "https://host/x").
std::string strip_credentials(std::string url) {
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos && (slash == std::string::npos || at < slash))
    url.erase(scheme + 3, at - scheme - 2);
  return url;
}

class builder {
 public:
  explicit builder(fs::path cwd) : cwd_(std::move(cwd)) {}

  // Adds workflow `logical` (and, recursively, its children).
  void add_workflow(const std::string& logical) {
    if (workflows_.count(logical)) return;
    auto text = read_text(cwd_ / logical);
    if (!text) return;
    auto& wf = workflows_[logical];
    wf.source = *text;
    auto toml = fs::path(logical).parent_path() / "workflow.toml";
    if (auto cfg = read_text(cwd_ / toml)) {
      wf.config_path = toml.lexically_normal().generic_string();
      wf.config_source = *cfg;
    }
    auto graph = model::parse_workflow(*text);
    if (!graph) return;  // the server explains the syntax error
    std::vector<std::string> children;
    collect_refs(logical, *graph, workflows_[logical], children);
    for (const auto& child : children) add_workflow(child);
  }

  std::string json(const manifest_options& opts, const std::string& target) const {
    model::json_writer w;
    w.begin_object().field("version", 1).field("cwd", cwd_.string());
    write_git(w);
    if (!opts.goal.empty())
      w.key("goal").begin_object().field("type", "value").field("text", opts.goal).end_object();
    w.key("args").begin_object().field("dry_run", opts.dry_run).field("auto_approve", opts.auto_approve);
    w.key("label").begin_array();
    for (const auto& l : opts.labels) w.value(l);
    w.end_array().end_object();
    w.key("target").begin_object().field("identifier", opts.workflow_file).field("path", target).end_object();
    w.key("configs").begin_array().end_array();
    w.key("workflows").begin_object();
    for (const auto& [path, wf] : workflows_) {
      w.key(path).begin_object().field("source", wf.source);
      if (!wf.config_path.empty())
        w.key("config").begin_object().field("path", wf.config_path).field("source", wf.config_source).end_object();
      w.key("files").begin_object();
      for (const auto& [fpath, f] : wf.files) {
        w.key(fpath).begin_object().field("content", f.content);
        w.key("ref").begin_object().field("type", f.type).field("original", f.original).field("from", f.from).end_object();
        w.end_object();
      }
      w.end_object().end_object();
    }
    w.end_object().end_object();
    return w.take();
  }

 private:
  void add_file(bundled_workflow& wf, const std::string& from, const std::string& original,
                const std::string& ref, const char* type) {
    auto logical = join_logical(from, ref);
    if (wf.files.count(logical)) return;
    auto text = read_text(cwd_ / logical);
    if (!text) return;
    wf.files[logical] = bundled_file{*text, type, original, from};
    if (std::string(type) == "import") {  // an import's own @refs come along
      if (auto g = model::parse_workflow(*text)) {
        std::vector<std::string> ignored;
        collect_refs(logical, *g, wf, ignored);
      }
    }
  }

  void collect_refs(const std::string& logical, const model::workflow_graph& g,
                    bundled_workflow& wf, std::vector<std::string>& children) {
    auto at_ref = [&](const std::optional<std::string>& v) {
      if (v && v->size() > 1 && (*v)[0] == '@') add_file(wf, logical, *v, v->substr(1), "file_inline");
    };
    at_ref(model::get_string(g.attrs, "goal"));
    for (const auto& n : g.nodes()) {
      at_ref(n.prompt());
      if (auto imp = model::get_string(n.attrs, "import")) add_file(wf, logical, *imp, *imp, "import");
      if (auto child = model::get_string(n.attrs, "stack.child_workflow"))
        children.push_back(join_logical(logical, *child));
    }
  }

  void write_git(model::json_writer& w) const {
    auto in_git = "git -C " + shell_quote(cwd_.string()) + " ";
    if (run_command(in_git + "rev-parse --is-inside-work-tree") != "true") return;
    w.key("git").begin_object()
        .field("origin_url", strip_credentials(run_command(in_git + "remote get-url origin")))
        .field("branch", run_command(in_git + "rev-parse --abbrev-ref HEAD"))
        .field("sha", run_command(in_git + "rev-parse HEAD"))
        .field("clean", run_command(in_git + "status --porcelain").empty())
        .end_object();
  }

  fs::path cwd_;
  std::map<std::string, bundled_workflow> workflows_;
};

}  // namespace

model::result<built_manifest> build_manifest(const manifest_options& opts) {
  std::error_code ec;
  fs::path cwd = opts.cwd.empty() ? fs::current_path(ec) : fs::path(opts.cwd);
  fs::path file = fs::absolute(opts.workflow_file, ec);
  if (!fs::is_regular_file(file, ec))
    return make_problem(errc::invalid_request, "cannot read workflow file " + opts.workflow_file);
  auto target = file.lexically_normal().lexically_relative(cwd).generic_string();
  builder b(cwd);
  b.add_workflow(target);
  return built_manifest{b.json(opts, target), target};
}

}  // namespace fabro::app
