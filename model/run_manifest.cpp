#include "model/run_manifest.hpp"

#include <algorithm>

#include <simdjson.h>

#include "model/ulid.hpp"

namespace fabro::model {
namespace {

namespace od = simdjson::ondemand;

// Where we are in the document, for error messages ("at workflows.x.source").
class json_path {
 public:
  void push(std::string_view k) { parts_.emplace_back(k); }
  void pop() { parts_.pop_back(); }
  std::string suffix() const {
    if (parts_.empty()) return "";
    std::string s = " at ";
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (i) s += '.';
      s += parts_[i];
    }
    return s;
  }

 private:
  std::vector<std::string> parts_;
};

struct scoped_key {
  scoped_key(json_path& p, std::string_view k) : p_(p) { p_.push(k); }
  ~scoped_key() { p_.pop(); }
  json_path& p_;
};

const char* type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "sequence";
    case od::json_type::object: return "map";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "value";
}

// Parser state for one document. Every reader returns an empty optional
// problem on success.
class reader {
 public:
  std::optional<problem> fail(std::string text) {
    return make_problem(errc::invalid_request, text + path.suffix());
  }
  std::optional<problem> json_error(simdjson::error_code e) {
    return make_problem(errc::invalid_request,
                        std::string("invalid JSON: ") + simdjson::error_message(e) +
                            path.suffix());
  }
  std::optional<problem> wrong_type(od::value& v, const char* expected) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(e);
    return fail(std::string("invalid type: ") + type_name(t) + ", expected " + expected);
  }
  static bool is_null(od::value& v) {
    od::json_type t;
    return !v.type().get(t) && t == od::json_type::null;
  }

  std::optional<problem> read(od::value v, std::string& out) {
    std::string_view sv;
    if (v.get_string().get(sv)) return wrong_type(v, "a string");
    out.assign(sv);
    return {};
  }
  std::optional<problem> read(od::value v, bool& out) {
    if (v.get_bool().get(out)) return wrong_type(v, "a boolean");
    return {};
  }
  std::optional<problem> read(od::value v, int64_t& out) {
    if (v.get_int64().get(out)) return wrong_type(v, "i64");
    return {};
  }
  template <class T>
  std::optional<problem> read(od::value v, std::optional<T>& out) {
    if (is_null(v)) {
      out.reset();
      return {};
    }
    T tmp{};
    if (auto p = read(v, tmp)) return p;
    out = std::move(tmp);
    return {};
  }
  std::optional<problem> read(od::value v, std::vector<std::string>& out) {
    if (is_null(v)) return {};
    od::array arr;
    if (v.get_array().get(arr)) return wrong_type(v, "a sequence");
    out.clear();
    size_t i = 0;
    for (auto el : arr) {
      od::value item;
      if (auto e = el.get(item)) return json_error(e);
      scoped_key k(path, std::to_string(i++));
      std::string s;
      if (auto p = read(item, s)) return p;
      out.push_back(std::move(s));
    }
    return {};
  }

  // Enum from a string; `names` in enum order, `expected` in serde's words.
  template <class E, size_t N>
  std::optional<problem> read_enum(od::value v, E& out, const char* const (&names)[N],
                                   const char* expected) {
    std::string s;
    if (auto p = read(v, s)) return p;
    for (size_t i = 0; i < N; ++i) {
      if (s == names[i]) {
        out = static_cast<E>(i);
        return {};
      }
    }
    return fail("unknown variant `" + s + "`, expected " + expected);
  }

  // Iterates an object's fields, calling on_field(key, value) for each.
  // `what` names the expected type in the type error.
  template <class F>
  std::optional<problem> each_field(od::value v, const char* what, F&& on_field) {
    od::object obj;
    if (v.get_object().get(obj)) return wrong_type(v, what);
    // serde rejects a field given twice in a struct (maps keep the last).
    bool is_struct = std::string_view(what).rfind("struct ", 0) == 0;
    std::vector<std::string> seen;
    for (auto f : obj) {
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      std::string k(key);
      if (is_struct) {
        if (std::find(seen.begin(), seen.end(), k) != seen.end())
          return fail("duplicate field `" + k + "`");
        seen.push_back(k);
      }
      od::value val;
      if (auto e = f.value().get(val)) return json_error(e);
      scoped_key sk(path, k);
      if (auto p = on_field(k, val)) return p;
    }
    return {};
  }

  std::optional<problem> missing(const char* field) {
    return fail(std::string("missing field `") + field + "`");
  }

  json_path path;
};

constexpr const char* kFileRefTypes[] = {"file_inline", "import", "dockerfile"};
constexpr const char* kGoalTypes[] = {"value", "file", "graph"};
constexpr const char* kConfigTypes[] = {"project", "user"};

std::optional<problem> read_file_ref(reader& r, od::value v, manifest_file_ref& out) {
  bool has_type = false, has_original = false;
  auto p = r.each_field(v, "struct ManifestFileRef", [&](const std::string& k, od::value val)
                                                         -> std::optional<problem> {
    if (k == "type") {
      has_type = true;
      return r.read_enum(val, out.type, kFileRefTypes,
                         "one of `file_inline`, `import`, `dockerfile`");
    }
    if (k == "original") {
      has_original = true;
      return r.read(val, out.original);
    }
    if (k == "from") return r.read(val, out.from);
    return {};
  });
  if (p) return p;
  if (!has_type) return r.missing("type");
  if (!has_original) return r.missing("original");
  return {};
}

std::optional<problem> read_file_entry(reader& r, od::value v, manifest_file_entry& out) {
  bool has_content = false, has_ref = false;
  auto p = r.each_field(v, "struct ManifestFileEntry",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "content") {
      has_content = true;
      return r.read(val, out.content);
    }
    if (k == "ref") {
      has_ref = true;
      return read_file_ref(r, val, out.ref);
    }
    return {};
  });
  if (p) return p;
  if (!has_content) return r.missing("content");
  if (!has_ref) return r.missing("ref");
  return {};
}

std::optional<problem> read_workflow_config(reader& r, od::value v,
                                            std::optional<manifest_workflow_config>& out) {
  if (reader::is_null(v)) return {};
  manifest_workflow_config c;
  bool has_path = false, has_source = false;
  auto p = r.each_field(v, "struct ManifestWorkflowConfig",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "path") {
      has_path = true;
      return r.read(val, c.path);
    }
    if (k == "source") {
      has_source = true;
      return r.read(val, c.source);
    }
    return {};
  });
  if (p) return p;
  if (!has_path) return r.missing("path");
  if (!has_source) return r.missing("source");
  out = std::move(c);
  return {};
}

std::optional<problem> read_workflow(reader& r, od::value v, manifest_workflow& out) {
  bool has_source = false;
  auto p = r.each_field(v, "struct ManifestWorkflow",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "source") {
      has_source = true;
      return r.read(val, out.source);
    }
    if (k == "config") return read_workflow_config(r, val, out.config);
    if (k == "files") {
      if (reader::is_null(val)) return {};
      return r.each_field(val, "a map", [&](const std::string& path, od::value fv) {
        return read_file_entry(r, fv, out.files[path]);
      });
    }
    return {};
  });
  if (p) return p;
  if (!has_source) return r.missing("source");
  return {};
}

std::optional<problem> read_git(reader& r, od::value v, std::optional<manifest_git>& out) {
  if (reader::is_null(v)) return {};
  manifest_git g;
  bool seen[4] = {};
  auto p = r.each_field(v, "struct ManifestGit",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "origin_url") return seen[0] = true, r.read(val, g.origin_url);
    if (k == "branch") return seen[1] = true, r.read(val, g.branch);
    if (k == "sha") return seen[2] = true, r.read(val, g.sha);
    if (k == "clean") return seen[3] = true, r.read(val, g.clean);
    return {};
  });
  if (p) return p;
  const char* names[] = {"origin_url", "branch", "sha", "clean"};
  for (int i = 0; i < 4; ++i)
    if (!seen[i]) return r.missing(names[i]);
  out = std::move(g);
  return {};
}

std::optional<problem> read_goal(reader& r, od::value v, std::optional<manifest_goal>& out) {
  if (reader::is_null(v)) return {};
  manifest_goal g;
  bool has_type = false, has_text = false;
  auto p = r.each_field(v, "struct ManifestGoal",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "type") {
      has_type = true;
      return r.read_enum(val, g.type, kGoalTypes, "one of `value`, `file`, `graph`");
    }
    if (k == "text") return has_text = true, r.read(val, g.text);
    if (k == "path") return r.read(val, g.path);
    return {};
  });
  if (p) return p;
  if (!has_type) return r.missing("type");
  if (!has_text) return r.missing("text");
  out = std::move(g);
  return {};
}

std::optional<problem> read_args(reader& r, od::value v, manifest_args& a) {
  if (reader::is_null(v)) return {};
  return r.each_field(v, "struct ManifestArgs",
                      [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "model") return r.read(val, a.model);
    if (k == "provider") return r.read(val, a.provider);
    if (k == "sandbox") return r.read(val, a.sandbox);
    if (k == "verbose") return r.read(val, a.verbose);
    if (k == "dry_run") return r.read(val, a.dry_run);
    if (k == "auto_approve") return r.read(val, a.auto_approve);
    if (k == "no_retro") return r.read(val, a.no_retro);
    if (k == "preserve_sandbox") return r.read(val, a.preserve_sandbox);
    if (k == "label") return r.read(val, a.label);
    return {};
  });
}

std::optional<problem> read_target(reader& r, od::value v, manifest_target& t) {
  bool has_identifier = false, has_path = false;
  auto p = r.each_field(v, "struct ManifestTarget",
                        [&](const std::string& k, od::value val) -> std::optional<problem> {
    if (k == "identifier") return has_identifier = true, r.read(val, t.identifier);
    if (k == "path") return has_path = true, r.read(val, t.path);
    return {};
  });
  if (p) return p;
  if (!has_identifier) return r.missing("identifier");
  if (!has_path) return r.missing("path");
  return {};
}

std::optional<problem> read_configs(reader& r, od::value v, std::vector<manifest_config>& out) {
  if (reader::is_null(v)) return {};
  od::array arr;
  if (v.get_array().get(arr)) return r.wrong_type(v, "a sequence");
  size_t i = 0;
  for (auto el : arr) {
    od::value item;
    if (auto e = el.get(item)) return r.json_error(e);
    scoped_key sk(r.path, std::to_string(i++));
    manifest_config c;
    bool has_type = false;
    auto p = r.each_field(item, "struct ManifestConfig",
                          [&](const std::string& k, od::value val) -> std::optional<problem> {
      if (k == "type") {
        has_type = true;
        return r.read_enum(val, c.type, kConfigTypes, "`project` or `user`");
      }
      if (k == "path") return r.read(val, c.path);
      if (k == "source") return r.read(val, c.source);
      return {};
    });
    if (p) return p;
    if (!has_type) return r.missing("type");
    out.push_back(std::move(c));
  }
  return {};
}

std::optional<problem> too_much(const std::string& what, size_t limit, const char* unit) {
  return make_problem(errc::invalid_request, what + " exceeds the limit of " +
                                                 std::to_string(limit) + " " + unit + ".");
}

// What one run may carry (run_manifest.hpp: manifest_limits), and paths
// without NUL.
std::optional<problem> check_limits(const run_manifest& m) {
  const manifest_limits lim;
  auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (has_nul(m.cwd)) return make_problem(errc::invalid_request, "cwd must not contain NUL");
  if (has_nul(m.target.path) || has_nul(m.target.identifier))
    return make_problem(errc::invalid_request, "target must not contain NUL");
  if (m.goal && m.goal->text.size() > lim.max_goal_bytes)
    return too_much("goal", lim.max_goal_bytes, "bytes");
  if (m.args.label.size() > lim.max_labels)
    return too_much("args.label", lim.max_labels, "labels");
  for (const auto& l : m.args.label)
    if (l.size() > lim.max_label_bytes) return too_much("a label", lim.max_label_bytes, "bytes");
  size_t files = 0;
  for (const auto& [path, w] : m.workflows) {
    if (has_nul(path)) return make_problem(errc::invalid_request, "workflow paths must not contain NUL");
    files += w.files.size();
    for (const auto& [name, f] : w.files)
      if (has_nul(name)) return make_problem(errc::invalid_request, "file paths must not contain NUL");
  }
  if (m.workflows.size() > lim.max_workflows)
    return too_much("workflows", lim.max_workflows, "workflows");
  if (files > lim.max_files) return too_much("workflows.*.files", lim.max_files, "files");
  return std::nullopt;
}

problem invalid_json(simdjson::error_code e) {
  return make_problem(errc::invalid_request,
                      std::string("invalid JSON: ") + simdjson::error_message(e));
}

}  // namespace

result<run_manifest> parse_manifest(std::string_view body) {
  simdjson::padded_string padded(body);
  // On-demand (simdjson 3.0.1) skips the values we do not read without
  // validating them and ignores anything after the root value; serde rejects
  // both. One DOM pass over the whole text first closes that gap.
  thread_local simdjson::dom::parser validator;
  if (auto e = validator.parse(padded).error()) return invalid_json(e);

  thread_local od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return invalid_json(e);
  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return invalid_json(e);
  if (root_type != od::json_type::object)  // a scalar root cannot become a value
    return make_problem(errc::invalid_request, std::string("invalid type: ") +
                                                   type_name(root_type) +
                                                   ", expected struct RunManifest");
  od::value root;
  if (auto e = doc.get_value().get(root)) return invalid_json(e);

  reader r;
  run_manifest m;
  bool seen_version = false, seen_cwd = false, seen_target = false, seen_workflows = false;
  std::optional<std::string> raw_run_id;
  auto p = r.each_field(root, "struct RunManifest",
                        [&](const std::string& k, od::value v) -> std::optional<problem> {
    if (k == "version") return seen_version = true, r.read(v, m.version);
    if (k == "cwd") return seen_cwd = true, r.read(v, m.cwd);
    if (k == "run_id") return r.read(v, raw_run_id);
    if (k == "git") return read_git(r, v, m.git);
    if (k == "goal") return read_goal(r, v, m.goal);
    if (k == "args") return read_args(r, v, m.args);
    if (k == "target") return seen_target = true, read_target(r, v, m.target);
    if (k == "configs") return read_configs(r, v, m.configs);
    if (k == "workflows") {
      seen_workflows = true;
      return r.each_field(v, "a map", [&](const std::string& path, od::value wv) {
        return read_workflow(r, wv, m.workflows[path]);
      });
    }
    return {};
  });
  if (p) return *p;
  if (!seen_version) return *r.missing("version");
  if (!seen_cwd) return *r.missing("cwd");
  if (!seen_target) return *r.missing("target");
  if (!seen_workflows) return *r.missing("workflows");

  if (m.version != 1)
    return make_problem(errc::invalid_request,
                        "unsupported manifest version " + std::to_string(m.version));
  if (!m.workflows.count(m.target.path))
    return make_problem(errc::invalid_request,
                        "manifest target path is missing from workflows map");
  if (auto p = check_limits(m)) return *p;
  if (raw_run_id) {
    auto id = parse_ulid(*raw_run_id);
    if (!id) return make_problem(errc::invalid_request, "invalid run ID: " + id.error().detail);
    m.run_id = *id;
  }
  return m;
}

std::map<std::string, std::string> manifest_labels(const run_manifest& m) {
  std::map<std::string, std::string> out;
  for (const auto& l : m.args.label) {
    auto eq = l.find('=');
    if (eq == std::string::npos) continue;
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

const char* to_string(file_ref_type t) { return kFileRefTypes[static_cast<int>(t)]; }
const char* to_string(goal_type t) { return kGoalTypes[static_cast<int>(t)]; }
const char* to_string(config_type t) { return kConfigTypes[static_cast<int>(t)]; }

}  // namespace fabro::model
