#include "model/workflow/settings_layers.hpp"

#include <sstream>

#include <toml++/toml.h>

namespace fabro::model {
namespace {

// Reads `[run]` keys; the first type error is kept in `error`.
struct run_reader {
  std::string error;

  template <class T>
  void read(const toml::node_view<const toml::node>& v, const char* key,
            std::optional<T>& out) {
    if (!v || !error.empty()) return;
    if (auto x = v.value_exact<T>()) {
      out = *x;
    } else {
      error = std::string("invalid type for run.") + key;
    }
  }

  // A table of scalars as text (strings as-is, numbers and booleans printed).
  void read_map(const toml::node_view<const toml::node>& v, const char* key,
                std::map<std::string, std::string>& out) {
    if (!v || !error.empty()) return;
    const toml::table* t = v.as_table();
    if (!t) {
      error = std::string("invalid type for run.") + key + ": expected a table";
      return;
    }
    for (const auto& [k, node] : *t) {
      std::string text;
      if (auto s = node.value_exact<std::string>()) {
        text = *s;
      } else if (auto b = node.value_exact<bool>()) {
        text = *b ? "true" : "false";
      } else if (auto i = node.value_exact<int64_t>()) {
        text = std::to_string(*i);
      } else if (auto f = node.value_exact<double>()) {
        std::ostringstream os;
        os << *f;
        text = os.str();
      } else {
        error = std::string("invalid type for run.") + key + "." + std::string(k.str()) +
                ": expected a scalar";
        return;
      }
      out[std::string(k.str())] = std::move(text);
    }
  }

  void read_map(const toml::node_view<const toml::node>& v, const char* key,
                std::optional<std::map<std::string, std::string>>& out) {
    if (!v) return;
    std::map<std::string, std::string> m;
    read_map(v, key, m);
    out = std::move(m);
  }

  // A string field restricted to two words: `yes` maps to true.
  void read_choice(const toml::node_view<const toml::node>& v, const char* key,
                   const char* yes, const char* no, std::optional<bool>& out) {
    std::optional<std::string> s;
    read(v, key, s);
    if (!s) return;
    if (*s == yes) out = true;
    else if (*s == no) out = false;
    else error = "unknown variant `" + *s + "` for run." + key + ", expected `" + yes + "` or `" + no + "`";
  }
};

}  // namespace

result<settings_layer> parse_settings_layer(std::string_view toml_text, std::string_view path) {
  auto fail = [&](const std::string& why) {
    return make_problem(errc::invalid_request,
                        "Failed to parse settings file: " + std::string(path) + ": " + why);
  };
  toml::table doc;
  try {
    doc = toml::parse(toml_text, path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return fail(std::string(e.description()) + " at line " + std::to_string(at.line) +
                ", column " + std::to_string(at.column));
  }
  settings_layer l;
  const toml::table& cdoc = doc;
  auto run_node = cdoc["run"];
  if (!run_node) return l;
  if (!run_node.is_table()) return fail("invalid type for run: expected a table");
  auto run = run_node;
  run_reader r;
  // `goal` may also be a table (a goal file); only the inline form is kept.
  if (!run["goal"].is_table()) r.read(run["goal"], "goal", l.goal);
  r.read(run["working_dir"], "working_dir", l.working_dir);
  r.read_choice(run["execution"]["mode"], "execution.mode", "dry_run", "normal", l.dry_run);
  r.read_choice(run["execution"]["approval"], "execution.approval", "auto", "prompt",
                l.auto_approve);
  r.read(run["execution"]["retros"], "execution.retros", l.retros);
  r.read(run["model"]["name"], "model.name", l.model);
  r.read(run["model"]["provider"], "model.provider", l.provider);
  r.read(run["sandbox"]["provider"], "sandbox.provider", l.sandbox);
  r.read_map(run["inputs"], "inputs", l.inputs);
  r.read_map(run["metadata"], "metadata", l.metadata);
  r.read_map(run["sandbox"]["env"], "sandbox.env", l.env);
  if (!r.error.empty()) return fail(r.error);
  return l;
}

settings_layer args_layer(const manifest_args& args) {
  settings_layer l;
  l.dry_run = args.dry_run;
  l.auto_approve = args.auto_approve;
  if (args.no_retro) l.retros = !*args.no_retro;
  l.model = args.model;
  l.provider = args.provider;
  l.sandbox = args.sandbox;
  std::map<std::string, std::string> labels;
  for (const auto& kv : args.label) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) labels[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!labels.empty()) l.metadata = std::move(labels);
  return l;
}

run_settings merge_settings(const std::vector<settings_layer>& layers) {
  run_settings s;
  // Lowest layer first, so each higher one overwrites what it sets.
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    const auto& l = *it;
    if (l.dry_run) s.dry_run = *l.dry_run;
    if (l.auto_approve) s.auto_approve = *l.auto_approve;
    if (l.retros) s.retros = *l.retros;
    if (l.model) s.model = *l.model;
    if (l.provider) s.provider = *l.provider;
    if (l.sandbox) s.sandbox = *l.sandbox;
    if (l.working_dir) s.working_dir = *l.working_dir;
    if (l.inputs) s.inputs = *l.inputs;
    if (l.metadata) s.metadata = *l.metadata;
    for (const auto& [k, v] : l.env) s.env[k] = v;
  }
  return s;
}

std::optional<std::string> layered_goal(const std::vector<settings_layer>& layers) {
  for (const auto& l : layers)
    if (l.goal) return l.goal;
  return std::nullopt;
}

}  // namespace fabro::model
