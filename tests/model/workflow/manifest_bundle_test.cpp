#include "model/workflow/manifest_bundle.hpp"

#include <catch2/catch.hpp>

#include "model/workflow/dot_writer.hpp"
#include "model/workflow/graph_builder.hpp"
#include "model/workflow/manifest_path.hpp"
#include "model/workflow/settings_layers.hpp"
#include "model/workflow/template_render.hpp"

using namespace fabro::model;

namespace {

const char* kSimple =
    "digraph Simple { graph [goal=\"graph goal\"] start [shape=Mdiamond] "
    "work [prompt=\"do {{ goal }}\"] exit [shape=Msquare] start -> work -> exit }";

run_manifest manifest(const std::string& source, const std::string& path = "wf/w.fabro") {
  run_manifest m;
  m.cwd = "/repo";
  m.target = {"w", path};
  m.workflows[path].source = source;
  return m;
}

void add_file(run_manifest& m, const std::string& wf, const std::string& key,
              const std::string& content) {
  m.workflows[wf].files[key].content = content;
}

std::string prompt_of(const run_definition& d, const std::string& node) {
  auto g = parse_workflow(d.source);
  REQUIRE(g);
  auto p = g->find_node(node)->prompt();
  return p ? *p : "";
}

}  // namespace

TEST_CASE("manifest paths normalize, fold and join like Fabro's ManifestPath", "[bundle]") {
  CHECK(normalize_manifest_path("./a//b/./c.fabro") == std::optional<std::string>("a/b/c.fabro"));
  CHECK(normalize_manifest_path("a/../b") == std::optional<std::string>("b"));
  CHECK(normalize_manifest_path("../x/y") == std::optional<std::string>("../x/y"));
  CHECK_FALSE(normalize_manifest_path("/abs"));
  CHECK_FALSE(normalize_manifest_path("~/x"));
  CHECK_FALSE(normalize_manifest_path("a/.."));
  CHECK(join_manifest_path("a/b", "../c.fabro") == std::optional<std::string>("a/c.fabro"));
  CHECK(relative_manifest_path("a", "a/p/x.md") == "p/x.md");
  CHECK(relative_manifest_path("a", "s/x.md") == "../s/x.md");
}

TEST_CASE("templates render goal and inputs and reject undefined values", "[bundle]") {
  template_vars v;
  v.goal = "G";
  v.inputs = {{"branch", "main"}};
  CHECK(*render_template("{{ goal }} on {{inputs.branch}}{# c #}", v) == "G on main");
  CHECK(*render_template("{% raw %}${#x}{% endraw %}", v) == "${#x}");
  auto undefined = render_template("a\n  {{ inputs.nope }}", v);
  REQUIRE_FALSE(undefined);
  const auto& d = undefined.error().diagnostics.at(0);
  CHECK(d.rule == "template");
  CHECK(d.message == "undefined value 'inputs.nope' in template");
  CHECK((d.line == 2 && d.column == 3));
  CHECK_FALSE(render_template("{{ env.HOME }}", v));
  CHECK_FALSE(render_template("{% if x %}", v));
  CHECK_FALSE(render_template("{{ goal", v));
  v.keep_goal_and_raw = true;
  CHECK(*render_template("{{goal}} {% raw %}{#{% endraw %}", v) == "{{ goal }} {% raw %}{#{% endraw %}");
}

TEST_CASE("the written DOT of a graph parses back to the same graph", "[bundle]") {
  auto g = parse_workflow(
      "digraph W { graph [goal=\"q\\\"x\", max_node_visits=3] node [shape=box]\n"
      "subgraph cluster_a { label=\"Build Step\" a [timeout=\"90s\", w=1.5, ok=true] }\n"
      "start [shape=Mdiamond] exit [shape=Msquare] start -> a -> exit [weight=2, label=\"go\"] }");
  REQUIRE(g);
  auto back = parse_workflow(write_dot(*g));
  REQUIRE(back);
  CHECK(back->name == "W");
  CHECK(back->attrs == g->attrs);
  REQUIRE(back->nodes().size() == g->nodes().size());
  for (std::size_t i = 0; i < g->nodes().size(); ++i) {
    CHECK(back->nodes()[i].id == g->nodes()[i].id);
    CHECK(back->nodes()[i].classes == g->nodes()[i].classes);
    CHECK(back->nodes()[i].timeout_ms() == g->nodes()[i].timeout_ms());
  }
  REQUIRE(back->edges().size() == 2);
  CHECK(back->edges()[1].attrs == g->edges()[1].attrs);
}

TEST_CASE("nodes named graph, node or edge survive the round trip", "[bundle]") {
  // Found by fuzzing: `node [..]` would have been read as a defaults block.
  auto g = parse_workflow("digraph K { node graph [x=1] edge -> graph }");
  REQUIRE(g);
  auto back = parse_workflow(write_dot(*g));
  REQUIRE(back);
  REQUIRE(back->nodes().size() == g->nodes().size());
  for (const auto& n : g->nodes()) {
    INFO(n.id);
    REQUIRE(back->find_node(n.id));
    CHECK(back->find_node(n.id)->attrs == n.attrs);
  }
}

TEST_CASE("a bundle resolves the target, its goal and its templates", "[bundle]") {
  auto d = resolve_bundle(manifest(kSimple, "./wf/w.fabro"));
  REQUIRE(d);
  CHECK(d->workflow_path == "wf/w.fabro");
  CHECK(d->workflow_name == "Simple");
  CHECK(d->goal == "graph goal");
  CHECK(prompt_of(*d, "work") == "do graph goal");
  CHECK(d->working_directory == "/repo");
  CHECK(d->settings.sandbox == "local");
}

TEST_CASE("goal precedence: manifest goal over run.goal over the graph", "[bundle]") {
  auto m = manifest(kSimple);
  m.workflows["wf/w.fabro"].config = manifest_workflow_config{"wf/w.toml", "[run]\ngoal = \"toml goal\"\n"};
  CHECK(resolve_bundle(m)->goal == "toml goal");
  m.goal = manifest_goal{goal_type::value, "cli goal", std::nullopt};
  auto d = resolve_bundle(m);
  CHECK(d->goal == "cli goal");
  CHECK(prompt_of(*d, "work") == "do cli goal");
}

TEST_CASE("settings layer args over workflow over project over user over defaults",
          "[bundle]") {
  auto m = manifest(kSimple);
  m.workflows["wf/w.fabro"].config = manifest_workflow_config{
      "wf/w.toml",
      "_version = 1\n[workflow]\nname='x'\n[run]\nworking_dir = \"sub\"\n"
      "[run.execution]\nmode = \"dry_run\"\n[run.sandbox.env]\nA = \"wf\"\n"};
  m.configs.push_back({config_type::user, "u.toml",
                       std::string("[run.model]\nname = \"user-model\"\nprovider = \"p\"\n"
                                   "[run.sandbox.env]\nA = \"user\"\nB = \"user\"\n"
                                   "[run.inputs]\nx = 1\n")});
  m.configs.push_back({config_type::project, "old.toml", std::string("[run.model]\nname = \"old\"\n")});
  m.configs.push_back({config_type::project, "p.toml",
                       std::string("[run.model]\nname = \"project-model\"\n"
                                   "[run.execution]\napproval = \"auto\"\nmode = \"normal\"\n")});
  m.args.no_retro = true;
  m.args.label = {"team=infra", "bad"};
  auto d = resolve_bundle(m);
  REQUIRE(d);
  const auto& s = d->settings;
  CHECK(s.dry_run);  // workflow beats project
  CHECK(s.auto_approve);
  CHECK_FALSE(s.retros);  // args
  CHECK(s.model == "project-model");  // last project entry wins over user
  CHECK(s.provider == "p");
  CHECK(s.env == std::map<std::string, std::string>{{"A", "wf"}, {"B", "user"}});
  CHECK(s.inputs == std::map<std::string, std::string>{{"x", "1"}});
  CHECK(s.metadata == std::map<std::string, std::string>{{"team", "infra"}});
  CHECK(d->working_directory == "/repo/sub");
  m.args.dry_run = false;
  CHECK_FALSE(resolve_bundle(m)->settings.dry_run);
}

TEST_CASE("run.inputs feed the inputs templates, and an undefined input is a diagnostic", "[bundle]") {
  auto m = manifest(
      "digraph I { start [shape=Mdiamond] work [prompt=\"on {{ inputs.branch }}\"] "
      "exit [shape=Msquare] start -> work -> exit }");
  auto missing = resolve_bundle(m);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::validation_failed);
  CHECK(missing.error().detail == "Validation failed");
  REQUIRE(missing.error().diagnostics.size() == 1);
  CHECK(missing.error().diagnostics[0].rule == "template");
  CHECK(missing.error().diagnostics[0].line == 1);
  m.workflows["wf/w.fabro"].config =
      manifest_workflow_config{"wf/w.toml", "[run.inputs]\nbranch = \"main\"\n"};
  auto d = resolve_bundle(m);
  REQUIRE(d);
  CHECK(prompt_of(*d, "work") == "on main");
}

TEST_CASE("@file prompts come from the workflow's files, relative to its directory",
          "[bundle]") {
  auto m = manifest(
      "digraph F { graph [goal=\"ship\"] start [shape=Mdiamond] a [prompt=\"@prompts/a.md\"] "
      "b [prompt=\"@../shared/b.md\"] exit [shape=Msquare] start -> a -> b -> exit }");
  add_file(m, "wf/w.fabro", "wf/prompts/a.md", "A for {{ goal }}");
  add_file(m, "wf/w.fabro", "./shared/b.md", "B");
  auto d = resolve_bundle(m);
  REQUIRE(d);
  CHECK(prompt_of(*d, "a") == "A for ship");
  CHECK(prompt_of(*d, "b") == "B");

  m.workflows["wf/w.fabro"].files.clear();
  auto unresolved = resolve_bundle(m);
  REQUIRE_FALSE(unresolved);
  CHECK(unresolved.error().diagnostics.at(0).rule == "unresolved_file_ref");
}

TEST_CASE("child workflows resolve relative to the referencing workflow", "[bundle]") {
  auto m = manifest(
      "digraph P { start [shape=Mdiamond] sub [shape=house, stack.child_workflow=\"kids/c.fabro\"] "
      "gone [shape=house, stack.child_workflow=\"nope.fabro\"] exit [shape=Msquare] "
      "start -> sub -> gone -> exit }");
  m.workflows["wf/kids/c.fabro"].source =
      "digraph C { start [shape=Mdiamond] g [shape=house, stack.child_dotfile=\"../../g.fabro\"] "
      "exit [shape=Msquare] start -> g -> exit }";
  m.workflows["g.fabro"].source = "digraph G { start [shape=Mdiamond] exit [shape=Msquare] start -> exit }";
  auto b = check_bundle(m);
  REQUIRE(b);
  CHECK(b->ok());
  CHECK(b->missing_children == std::vector<std::string>{"wf/nope.fabro"});
  const auto& kids = b->definition.children;
  REQUIRE(kids.size() == 2);
  CHECK(parse_workflow(kids.at("wf/kids/c.fabro"))->name == "C");
  CHECK(parse_workflow(kids.at("g.fabro"))->name == "G");
}

TEST_CASE("an invalid workflow fails with every diagnostic", "[bundle]") {
  auto r = resolve_bundle(manifest("digraph X { a -> b }"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::validation_failed);
  std::vector<std::string> rules;
  for (const auto& d : r.error().diagnostics) rules.push_back(d.rule);
  CHECK(std::find(rules.begin(), rules.end(), "start_node") != rules.end());
  CHECK(std::find(rules.begin(), rules.end(), "terminal_node") != rules.end());

  auto parse = check_bundle(manifest("digraph X { a -- b }"));
  REQUIRE(parse);
  CHECK_FALSE(parse->ok());
  CHECK_FALSE(parse->target.graph);
  CHECK(parse->target.diagnostics.at(0).rule == "parse");
}

TEST_CASE("manifest problems are invalid requests in Fabro's words", "[bundle]") {
  auto m = manifest(kSimple);
  m.workflows["wf/w.fabro"].config = manifest_workflow_config{"wf/w.toml", "[run\n"};
  auto toml = resolve_bundle(m);
  REQUIRE_FALSE(toml);
  CHECK(toml.error().code == errc::invalid_request);
  CHECK(toml.error().detail.rfind("Failed to parse settings file: wf/w.toml: ", 0) == 0);
  CHECK(toml.error().detail.find("line 1") != std::string::npos);

  m = manifest(kSimple);
  m.configs.push_back({config_type::user, "u.toml", std::string("[run.execution]\nmode = \"fast\"\n")});
  CHECK(resolve_bundle(m).error().detail ==
        "Failed to parse settings file: u.toml: unknown variant `fast` for run.execution.mode, "
        "expected `dry_run` or `normal`");
  m.configs.back().source = "[run]\nworking_dir = 3\n";
  CHECK(resolve_bundle(m).error().detail ==
        "Failed to parse settings file: u.toml: invalid type for run.working_dir");

  m = manifest(kSimple);
  m.workflows["./wf/w.fabro"].source = kSimple;
  CHECK(resolve_bundle(m).error().detail == "duplicate canonical workflow key: wf/w.fabro");
  m = manifest(kSimple);
  m.workflows["/abs.fabro"].source = kSimple;
  CHECK(resolve_bundle(m).error().detail == "invalid manifest workflow key: /abs.fabro");
  m = manifest(kSimple);
  m.target.path = "../../..";
  CHECK(resolve_bundle(m).error().detail == "manifest target path is missing from workflows map");
  m.target.path = "/x";
  CHECK(resolve_bundle(m).error().detail == "invalid manifest target path");
}

TEST_CASE("a raw block holding many `{%` renders in linear time", "[model][template]") {
  // 600,000 `{%` inside a raw block once never finished (each one scanned to
  // the end for its `%}`); now the whole text is one pass.
  std::string many;
  many.reserve(1200000);
  for (int i = 0; i < 600000; ++i) many += "{%";
  template_vars vars;
  auto ok = render_template("{% raw %}" + many + "{%- endraw -%} after", vars);
  REQUIRE(ok);
  CHECK(ok->size() == many.size() + 6);
  CHECK(ok->substr(ok->size() - 6) == " after");
  auto open = render_template("{% raw %}" + many + " %}", vars);
  REQUIRE_FALSE(open);
  REQUIRE(open.error().diagnostics.size() == 1);
  CHECK(open.error().diagnostics[0].message.find("unterminated {% raw %} block") !=
        std::string::npos);
}

namespace {

// A chain of `n` prompt nodes, each prompt = `prompt`.
std::string chain_of(int n, const std::string& prompt) {
  std::string src = "digraph Big { start [shape=Mdiamond] exit [shape=Msquare] ";
  for (int i = 0; i < n; ++i) src += "n" + std::to_string(i) + " [prompt=\"" + prompt + "\"] ";
  src += "start";
  for (int i = 0; i < n; ++i) src += " -> n" + std::to_string(i);
  return src + " -> exit }";
}

size_t expansion_errors(const bundle_check& b) {
  size_t n = 0;
  for (const auto& d : b.target.diagnostics) n += d.rule == "expansion_limit";
  return n;
}

}  // namespace

TEST_CASE("@file expansion is bounded: 5,000 nodes naming a 90 KB file are refused, not "
          "expanded to 450 MB", "[bundle]") {
  auto m = manifest(chain_of(5000, "@big.md"));
  add_file(m, "wf/w.fabro", "wf/big.md", std::string(90 * 1024, 'x'));
  auto limit = expansion_limit(m);
  CHECK(limit == 16 * (m.workflows["wf/w.fabro"].source.size() + 90 * 1024));
  auto b = check_bundle(m);
  REQUIRE(b);
  CHECK_FALSE(b->ok());
  REQUIRE(expansion_errors(*b) == 1);
  for (const auto& d : b->target.diagnostics)
    if (d.rule == "expansion_limit") {
      CHECK(d.level == severity::error);
      CHECK(d.message.find(std::to_string(limit) + " bytes") != std::string::npos);
    }
  auto r = resolve_bundle(m);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::validation_failed);
}

TEST_CASE("a bundle within its expansion limit inlines every @file prompt", "[bundle]") {
  // 100 × 8 KB = 800 KB: under the 1 MiB floor.
  auto m = manifest(chain_of(100, "@p.md"));
  add_file(m, "wf/w.fabro", "wf/p.md", std::string(8 * 1024, 'y'));
  auto b = check_bundle(m);
  REQUIRE(b);
  INFO(render_diagnostics(b->target.diagnostics, "w.fabro"));
  CHECK(b->ok());
  CHECK(prompt_of(b->definition, "n99") == std::string(8 * 1024, 'y'));
}

TEST_CASE("template rendering counts against the expansion limit", "[bundle]") {
  auto m = manifest(chain_of(2000, "{{ goal }}"));
  m.goal = manifest_goal{};
  m.goal->text = std::string(60 * 1024, 'g');  // 2,000 × 60 KB = 120 MB rendered
  auto b = check_bundle(m);
  REQUIRE(b);
  CHECK_FALSE(b->ok());
  CHECK(expansion_errors(*b) == 1);
}

TEST_CASE("a child workflow over the limit refuses the whole bundle", "[bundle]") {
  auto m = manifest(
      "digraph P { start [shape=Mdiamond] exit [shape=Msquare] "
      "c [shape=house, stack.child_workflow=\"child.fabro\"] start -> c -> exit }");
  m.workflows["wf/child.fabro"].source = chain_of(3000, "@big.md");
  add_file(m, "wf/child.fabro", "wf/big.md", std::string(40 * 1024, 'z'));
  auto b = check_bundle(m);
  REQUIRE(b);
  CHECK_FALSE(b->ok());
  CHECK(expansion_errors(*b) == 1);
}
