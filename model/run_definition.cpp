#include "model/run_definition.hpp"

#include <simdjson.h>

#include "model/json_writer.hpp"

namespace fabro::model {
namespace {

void write_map(json_writer& w, const char* key, const std::map<std::string, std::string>& m) {
  w.key(key).begin_object();
  for (const auto& [k, v] : m) w.field(k, v);
  w.end_object();
}

bool read_map(simdjson::simdjson_result<simdjson::dom::element> e,
              std::map<std::string, std::string>& out) {
  simdjson::dom::object obj;
  if (e.get(obj)) return false;
  for (auto f : obj) {
    std::string_view v;
    if (f.value.get(v)) return false;
    out[std::string(f.key)] = std::string(v);
  }
  return true;
}

}  // namespace

std::string api_settings_json(const run_settings& s) {
  json_writer w;
  auto text_or_null = [&](const char* key, const std::string& v) {
    if (v.empty()) w.field_null(key);
    else w.field(key, v);
  };
  w.begin_object().key("run").begin_object();
  w.key("execution").begin_object()
      .field("mode", s.dry_run ? "dry_run" : "normal")
      .field("approval", s.auto_approve ? "auto" : "prompt")
      .field("retros", s.retros)
      .end_object();
  w.key("model").begin_object();
  text_or_null("name", s.model);
  text_or_null("provider", s.provider);
  w.end_object();
  w.key("sandbox").begin_object().field("provider", s.sandbox).key("env").begin_object();
  for (const auto& [k, v] : s.env) w.field(k, "***");
  w.end_object().end_object();
  text_or_null("working_dir", s.working_dir);
  write_map(w, "inputs", s.inputs);
  write_map(w, "metadata", s.metadata);
  w.end_object().end_object();
  return w.take();
}

std::string to_json(const run_definition& d) {
  json_writer w;
  w.begin_object()
      .field("workflow_path", d.workflow_path)
      .field("workflow_name", d.workflow_name)
      .field("goal", d.goal)
      .field("source", d.source)
      .field("working_directory", d.working_directory);
  write_map(w, "children", d.children);
  const auto& s = d.settings;
  w.key("settings").begin_object()
      .field("dry_run", s.dry_run)
      .field("auto_approve", s.auto_approve)
      .field("retros", s.retros)
      .field("model", s.model)
      .field("provider", s.provider)
      .field("sandbox", s.sandbox)
      .field("working_dir", s.working_dir);
  write_map(w, "inputs", s.inputs);
  write_map(w, "env", s.env);
  write_map(w, "metadata", s.metadata);
  w.end_object().end_object();
  return w.take();
}

result<run_definition> parse_run_definition(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto bad = [] { return make_problem(errc::internal, "stored run definition is unreadable"); };
  if (parser.parse(json.data(), json.size()).get(root)) return bad();
  run_definition d;
  auto str = [&](simdjson::dom::element e, const char* k, std::string& out) {
    std::string_view v;
    if (e[k].get(v)) return false;
    out = std::string(v);
    return true;
  };
  if (!str(root, "workflow_path", d.workflow_path) || !str(root, "workflow_name", d.workflow_name) ||
      !str(root, "goal", d.goal) || !str(root, "source", d.source) ||
      !str(root, "working_directory", d.working_directory) ||
      !read_map(root["children"], d.children))
    return bad();
  simdjson::dom::element s;
  if (root["settings"].get(s)) return bad();
  auto& st = d.settings;
  if (s["dry_run"].get(st.dry_run) || s["auto_approve"].get(st.auto_approve) ||
      s["retros"].get(st.retros) || !str(s, "model", st.model) ||
      !str(s, "provider", st.provider) || !str(s, "sandbox", st.sandbox) ||
      !str(s, "working_dir", st.working_dir) || !read_map(s["inputs"], st.inputs) ||
      !read_map(s["env"], st.env) ||
      !read_map(s["metadata"], st.metadata))
    return bad();
  return d;
}

}  // namespace fabro::model
