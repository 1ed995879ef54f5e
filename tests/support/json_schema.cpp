#include "tests/support/json_schema.hpp"

#include <cmath>
#include <regex>

namespace fabro::testing {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool is_type(element v, const std::string& type) {
  auto t = v.type();
  if (type == "null") return t == element_type::NULL_VALUE;
  if (type == "boolean") return t == element_type::BOOL;
  if (type == "string") return t == element_type::STRING;
  if (type == "object") return t == element_type::OBJECT;
  if (type == "array") return t == element_type::ARRAY;
  if (type == "integer") {
    if (t == element_type::INT64 || t == element_type::UINT64) return true;
    double d;
    return t == element_type::DOUBLE && !v.get(d) && std::floor(d) == d;
  }
  if (type == "number")
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  return false;
}

double number_of(element v) {
  double d = 0;
  int64_t i;
  uint64_t u;
  if (!v.get(i)) return static_cast<double>(i);
  if (!v.get(u)) return static_cast<double>(u);
  if (v.get(d)) return 0;
  return d;
}

// An enum or const entry (a YAML scalar) equals the JSON value.
bool scalar_equals(const YAML::Node& want, element v) {
  if (want.IsNull()) return v.is_null();
  auto text = want.as<std::string>();
  std::string_view s;
  if (!v.get(s)) return s == text;
  bool b;
  if (!v.get(b)) return text == (b ? "true" : "false");
  if (is_type(v, "number")) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    return end && *end == '\0' && d == number_of(v);
  }
  return false;
}

bool is_date_time(std::string_view s) {
  static const std::regex re(
      R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s.begin(), s.end(), re);
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

// yaml-cpp's Node assignment rebinds the node assigned to (changing the
// document), so the walk constructs a node per step and never assigns.
static YAML::Node walk(const YAML::Node& at, const std::vector<std::string>& keys, size_t i) {
  if (i == keys.size()) return at;
  if (!at.IsMap() || !at[keys[i]]) return YAML::Node(YAML::NodeType::Undefined);
  return walk(at[keys[i]], keys, i + 1);
}

YAML::Node json_schema_validator::resolve(const std::string& ref) const {
  if (ref.rfind("#/", 0) != 0) return YAML::Node(YAML::NodeType::Undefined);
  std::vector<std::string> keys;
  size_t start = 2;
  for (;;) {
    auto slash = ref.find('/', start);
    keys.push_back(ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  const YAML::Node& doc = doc_;
  return walk(doc, keys, 0);
}

std::vector<std::string> json_schema_validator::errors(const YAML::Node& schema, element value,
                                                       const std::string& path) const {
  std::vector<std::string> out;
  check(schema, value, path, out, 0);
  return out;
}

std::vector<std::string> json_schema_validator::errors_in(const YAML::Node& schema,
                                                          const std::string& json) const {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(json).get(doc))
    return {std::string("$: not JSON (") + simdjson::error_message(err) + ")"};
  return errors(schema, doc);
}

void json_schema_validator::check(const YAML::Node& schema, element v, const std::string& path,
                                  std::vector<std::string>& out, int depth) const {
  if (depth > 64) return out.push_back(path + ": schema nesting too deep");
  if (!schema.IsMap()) return;  // `{}` or `true`: anything
  if (auto ref = schema["$ref"]) {
    auto target = resolve(ref.as<std::string>());
    if (!target) return out.push_back(path + ": unresolved $ref " + ref.as<std::string>());
    return check(target, v, path, out, depth + 1);
  }
  if (v.is_null() && schema["nullable"] && schema["nullable"].as<bool>()) return;
  if (auto type = schema["type"]) {
    bool ok = false;
    std::string names;
    if (type.IsSequence()) {
      for (const auto& t : type) {
        ok = ok || is_type(v, t.as<std::string>());
        names += (names.empty() ? "" : " or ") + t.as<std::string>();
      }
    } else {
      ok = is_type(v, names = type.as<std::string>());
    }
    if (!ok) return out.push_back(path + ": expected " + names + ", got " + simdjson::minify(v));
  }
  if (auto e = schema["enum"]) {
    bool ok = false;
    for (const auto& want : e) ok = ok || scalar_equals(want, v);
    if (!ok) out.push_back(path + ": " + simdjson::minify(v) + " is not one of the enum values");
  }
  if (auto c = schema["const"]; c && !scalar_equals(c, v))
    out.push_back(path + ": expected the constant " + c.as<std::string>());
  if (auto all = schema["allOf"])
    for (const auto& s : all) check(s, v, path, out, depth + 1);
  for (const char* key : {"oneOf", "anyOf"}) {
    auto alts = schema[key];
    if (!alts) continue;
    size_t matches = 0;
    std::vector<std::string> first_errors;
    for (const auto& s : alts) {
      std::vector<std::string> errs;
      check(s, v, path, errs, depth + 1);
      if (errs.empty()) ++matches;
      else if (first_errors.empty()) first_errors = errs;
    }
    if (matches == 0)
      out.push_back(path + ": matches none of " + key + " (first: " +
                    (first_errors.empty() ? std::string("?") : first_errors.front()) + ")");
    else if (matches > 1 && std::string(key) == "oneOf")
      out.push_back(path + ": matches " + std::to_string(matches) + " of oneOf, not one");
  }
  if (auto n = schema["not"]) {
    std::vector<std::string> errs;
    check(n, v, path, errs, depth + 1);
    if (errs.empty()) out.push_back(path + ": matches a `not` schema");
  }
  simdjson::dom::object obj;
  if (!v.get(obj)) {
    const YAML::Node props = schema["properties"];
    if (auto req = schema["required"])
      for (const auto& r : req) {
        element ignored;
        if (obj[r.as<std::string>()].get(ignored))
          out.push_back(path + ": missing required " + in_quotes(r.as<std::string>()));
      }
    const YAML::Node extra = schema["additionalProperties"];
    for (auto field : obj) {
      std::string key(field.key);
      auto sub = path + "." + key;
      if (props && props[key]) {
        check(props[key], field.value, sub, out, depth + 1);
      } else if (extra && extra.IsScalar() && !extra.as<bool>()) {
        out.push_back(path + ": unexpected property " + in_quotes(key));
      } else if (extra && extra.IsMap()) {
        check(extra, field.value, sub, out, depth + 1);
      }
    }
  }
  simdjson::dom::array arr;
  if (!v.get(arr)) {
    size_t n = arr.size();
    if (auto m = schema["minItems"]; m && n < m.as<size_t>())
      out.push_back(path + ": fewer than " + m.as<std::string>() + " items");
    if (auto m = schema["maxItems"]; m && n > m.as<size_t>())
      out.push_back(path + ": more than " + m.as<std::string>() + " items");
    if (auto items = schema["items"]) {
      size_t i = 0;
      for (auto item : arr) check(items, item, path + "[" + std::to_string(i++) + "]", out, depth + 1);
    }
  }
  if (is_type(v, "number")) {
    double d = number_of(v);
    if (auto m = schema["minimum"]; m && d < m.as<double>())
      out.push_back(path + ": " + simdjson::minify(v) + " is below the minimum " + m.as<std::string>());
    if (auto m = schema["maximum"]; m && d > m.as<double>())
      out.push_back(path + ": " + simdjson::minify(v) + " is above the maximum " + m.as<std::string>());
  }
  std::string_view s;
  if (!v.get(s)) {
    if (auto m = schema["minLength"]; m && s.size() < m.as<size_t>())
      out.push_back(path + ": shorter than " + m.as<std::string>());
    if (auto m = schema["maxLength"]; m && s.size() > m.as<size_t>())
      out.push_back(path + ": longer than " + m.as<std::string>());
    if (auto p = schema["pattern"]) {
      std::regex re(p.as<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(s.begin(), s.end(), re))
        out.push_back(path + ": does not match the pattern " + p.as<std::string>());
    }
    if (auto f = schema["format"]; f && f.as<std::string>() == "date-time" && !is_date_time(s))
      out.push_back(path + ": " + in_quotes(std::string(s)) + " is not an RFC 3339 date-time");
  }
}

}  // namespace fabro::testing
