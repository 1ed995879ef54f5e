#include "model/workflow/manifest_bundle.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "model/workflow/dot_writer.hpp"
#include "model/workflow/manifest_path.hpp"
#include "model/workflow/settings_layers.hpp"
#include "model/workflow/template_render.hpp"
#include "model/workflow/validate.hpp"

namespace fabro::model {
namespace {

problem bad(std::string detail) { return make_problem(errc::invalid_request, std::move(detail)); }

// Workflows by normalized path, their files by normalized path too.
struct bundle_index {
  struct entry {
    const manifest_workflow* workflow = nullptr;
    std::map<std::string, const manifest_file_entry*> files;
  };
  std::map<std::string, entry> workflows;
};

result<bundle_index> index_bundle(const run_manifest& m) {
  bundle_index idx;
  for (const auto& [key, wf] : m.workflows) {
    auto path = normalize_manifest_path(key);
    if (!path) return bad("invalid manifest workflow key: " + key);
    auto& e = idx.workflows[*path];
    if (e.workflow) return bad("duplicate canonical workflow key: " + key);
    e.workflow = &wf;
    for (const auto& [fkey, file] : wf.files) {
      auto fpath = normalize_manifest_path(fkey);
      if (!fpath) return bad("invalid manifest file key: " + fkey);
      if (!e.files.emplace(*fpath, &file).second)
        return bad("duplicate canonical file key: " + fkey);
    }
  }
  return idx;
}

// Settings layers, highest precedence first (§5.4).
result<std::vector<settings_layer>> layers_of(const run_manifest& m, const manifest_workflow& root) {
  std::vector<settings_layer> layers{args_layer(m.args)};
  if (root.config && !root.config->source.empty()) {
    auto l = parse_settings_layer(root.config->source, root.config->path);
    if (!l) return l.error();
    layers.push_back(std::move(*l));
  }
  for (auto type : {config_type::project, config_type::user}) {
    const manifest_config* last = nullptr;
    for (const auto& c : m.configs)
      if (c.type == type) last = &c;
    if (!last || !last->source) continue;
    auto l = parse_settings_layer(*last->source, last->path.value_or(to_string(type)));
    if (!l) return l.error();
    layers.push_back(std::move(*l));
  }
  return layers;
}

// `@file` contents keyed as the workflow's references name them: relative to
// its directory, and as the client recorded the original reference.
std::map<std::string, std::string> file_map(const bundle_index::entry& e, const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& [path, file] : e.files) {
    out[relative_manifest_path(dir, path)] = file->content;
    std::string original = file->ref.original;
    if (!original.empty() && original[0] == '@') original.erase(0, 1);
    if (original.rfind("./", 0) == 0) original.erase(0, 2);
    if (!original.empty()) out.emplace(original, file->content);
  }
  return out;
}

// What @file inlining and template rendering may still add to a bundle.
struct expansion_budget {
  uint64_t limit = 0;
  uint64_t left = 0;
  bool exceeded = false;
  // Takes the growth from `before` to `after` bytes; false (and exceeded)
  // when it does not fit.
  bool take(size_t before, size_t after) {
    if (after <= before) return true;
    if (after - before > left) return !(exceeded = true);
    left -= after - before;
    return true;
  }
};

// Renders one attribute map in place (pass two); a template error is
// reported in `diags` at `pos` naming the node or edge. A rendering that
// would exceed the budget is not applied.
void render_attrs(attr_map& attrs, const template_vars& vars, diagnostic where,
                  std::vector<diagnostic>& diags, expansion_budget& budget) {
  for (auto& [key, v] : attrs) {
    auto s = v.as_string();
    if (!s || !has_template_syntax(*s)) continue;
    auto r = render_template(*s, vars);
    if (!r) {
      where.message = "attribute '" + key + "': " + r.error().diagnostics.at(0).message;
      diags.push_back(where);
      continue;
    }
    if (!budget.take(s->size(), r->size())) return;
    v = v.quoted() ? attr_value::from_quoted(std::move(*r)) : attr_value::from_bare(std::move(*r));
  }
}

bool any_template(const workflow_graph& g) {
  auto in = [](const attr_map& m) {
    for (const auto& [k, v] : m)
      if (auto s = v.as_string(); s && has_template_syntax(*s)) return true;
    return false;
  };
  if (in(g.attrs)) return true;
  for (const auto& n : g.nodes())
    if (in(n.attrs)) return true;
  for (const auto& e : g.edges())
    if (in(e.attrs)) return true;
  return false;
}

// Pass two: every string attribute, the goal first. Returns the findings.
std::vector<diagnostic> render_graph(workflow_graph& g, template_vars vars,
                                     expansion_budget& budget) {
  std::vector<diagnostic> diags;
  diagnostic where;
  where.rule = "template";
  attr_map goal_only;
  if (auto* goal = find_attr(g.attrs, "goal")) goal_only["goal"] = *goal;
  vars.goal = g.goal();
  render_attrs(goal_only, vars, where, diags, budget);
  for (auto& [k, v] : goal_only) g.attrs[k] = v;
  vars.goal = g.goal();
  render_attrs(g.attrs, vars, where, diags, budget);
  workflow_graph out;
  out.name = g.name;
  out.attrs = g.attrs;
  for (graph_node n : g.nodes()) {
    diagnostic at = where;
    at.node_id = n.id;
    at.line = n.pos.line;
    at.column = n.pos.column;
    if (!budget.exceeded) render_attrs(n.attrs, vars, at, diags, budget);
    out.add_node(std::move(n));
  }
  for (graph_edge e : g.edges()) {
    diagnostic at = where;
    at.edge_from = e.from;
    at.edge_to = e.to;
    at.line = e.pos.line;
    at.column = e.pos.column;
    if (!budget.exceeded) render_attrs(e.attrs, vars, at, diags, budget);
    out.add_edge(std::move(e));
  }
  g = std::move(out);
  return diags;
}

struct expanded {
  workflow_check check;
  std::string source;  // expanded graph, or the text that failed
};

// Steps 4-5 of the header for one workflow at normalized `path`.
expanded expand(const std::string& path, const bundle_index::entry& e, const std::string& goal,
                const std::map<std::string, std::string>& inputs, expansion_budget& budget) {
  expanded out;
  out.source = e.workflow->source;
  template_vars vars;
  vars.inputs = inputs;
  if (has_template_syntax(out.source)) {
    vars.keep_goal_and_raw = true;
    auto pass1 = render_template(out.source, vars);
    if (!pass1) {
      out.check.diagnostics = pass1.error().diagnostics;
      return out;
    }
    if (!budget.take(out.source.size(), pass1->size())) {
      out.check.diagnostics = {expansion_limit_diagnostic(budget.limit)};
      return out;
    }
    out.source = std::move(*pass1);
    vars.keep_goal_and_raw = false;
  }
  workflow_check_config cfg;
  cfg.goal_override = goal;
  cfg.files = file_map(e, manifest_dir(path));
  cfg.max_inlined_bytes = budget.left;
  out.check = check_workflow(out.source, cfg);
  budget.left -= out.check.inlined_bytes;
  for (const auto& d : out.check.diagnostics)
    if (d.rule == "expansion_limit") budget.exceeded = true;
  if (budget.exceeded) {
    // The limit in the diagnostic is the bundle's, not what was left.
    for (auto& d : out.check.diagnostics)
      if (d.rule == "expansion_limit") d = expansion_limit_diagnostic(budget.limit);
    return out;
  }
  if (!out.check.graph) return out;
  auto& g = *out.check.graph;
  if (any_template(g)) {
    auto diags = render_graph(g, vars, budget);
    if (budget.exceeded) diags.insert(diags.begin(), expansion_limit_diagnostic(budget.limit));
    auto lint = validate_graph(g);
    diags.insert(diags.end(), lint.begin(), lint.end());
    out.check.diagnostics = std::move(diags);
  }
  out.source = write_dot(g);
  return out;
}

// Child references of `g`'s nodes, as written.
std::vector<std::string> child_refs(const workflow_graph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes()) {
    auto ref = get_string(n.attrs, "stack.child_workflow");
    if (!ref) ref = get_string(n.attrs, "stack.child_dotfile");
    if (ref && !ref->empty()) out.push_back(*ref);
  }
  return out;
}

std::string working_directory(const std::string& cwd, const std::string& wd) {
  if (wd.empty()) return cwd;
  if (wd[0] == '/' || cwd.empty()) return wd;
  return cwd.back() == '/' ? cwd + wd : cwd + "/" + wd;
}

}  // namespace

result<bundle_check> check_bundle(const run_manifest& m) {
  auto idx = index_bundle(m);
  if (!idx) return idx.error();
  auto target = normalize_manifest_path(m.target.path);
  if (!target) return bad("invalid manifest target path");
  auto root = idx->workflows.find(*target);
  if (root == idx->workflows.end())
    return bad("manifest target path is missing from workflows map");
  auto layers = layers_of(m, *root->second.workflow);
  if (!layers) return layers.error();

  bundle_check out;
  auto& def = out.definition;
  def.workflow_path = *target;
  def.settings = merge_settings(*layers);
  def.working_directory = working_directory(m.cwd, def.settings.working_dir);
  std::string goal;
  if (m.goal && !m.goal->text.empty()) goal = m.goal->text;
  else if (auto g = layered_goal(*layers)) goal = *g;

  expansion_budget budget;
  budget.limit = budget.left = expansion_limit(m);
  auto root_exp = expand(*target, root->second, goal, def.settings.inputs, budget);
  out.target = std::move(root_exp.check);
  def.source = std::move(root_exp.source);
  if (!out.target.graph) {
    def.goal = goal;
    return out;
  }
  def.workflow_name = out.target.graph->name;
  def.goal = out.target.graph->goal();

  // Children, breadth first; each reference is relative to its referrer.
  std::set<std::string> seen{*target};
  std::deque<std::pair<std::string, std::vector<std::string>>> todo{
      {*target, child_refs(*out.target.graph)}};
  while (!todo.empty()) {
    auto [from, refs] = std::move(todo.front());
    todo.pop_front();
    for (const auto& ref : refs) {
      auto path = join_manifest_path(manifest_dir(from), ref);
      if (!path || !seen.insert(*path).second) continue;
      auto it = idx->workflows.find(*path);
      if (it == idx->workflows.end()) {
        out.missing_children.push_back(*path);
        continue;
      }
      auto child = expand(*path, it->second, def.goal, def.settings.inputs, budget);
      if (!child.check.ok()) {
        def.children[*path] = it->second.workflow->source;
        continue;
      }
      todo.emplace_back(*path, child_refs(*child.check.graph));
      def.children[*path] = std::move(child.source);
    }
  }
  // A child over the limit refuses the whole bundle (it is said once).
  if (budget.exceeded) {
    bool said = false;
    for (const auto& d : out.target.diagnostics) said = said || d.rule == "expansion_limit";
    if (!said)
      out.target.diagnostics.insert(out.target.diagnostics.begin(),
                                    expansion_limit_diagnostic(budget.limit));
  }
  return out;
}

uint64_t expansion_limit(const run_manifest& m) {
  uint64_t input = m.goal ? m.goal->text.size() : 0;
  for (const auto& [path, w] : m.workflows) {
    input += w.source.size();
    for (const auto& [name, f] : w.files) input += f.content.size();
  }
  constexpr uint64_t kMiB = 1024 * 1024;
  return std::min<uint64_t>(32 * kMiB, std::max<uint64_t>(kMiB, 16 * input));
}

result<run_definition> resolve_bundle(const run_manifest& m) {
  auto b = check_bundle(m);
  if (!b) return b.error();
  if (b->ok()) return std::move(b->definition);
  problem p = make_problem(errc::validation_failed, "Validation failed");
  p.diagnostics = std::move(b->target.diagnostics);
  return p;
}

}  // namespace fabro::model
