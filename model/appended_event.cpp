#include "model/appended_event.hpp"

#include <simdjson.h>

#include "model/timestamp.hpp"

namespace fabro::model {
namespace {

using simdjson::dom::element;

problem invalid(const std::string& why) {
  return make_problem(errc::invalid_request, "Invalid run event: " + why + ".");
}

bool is_event_name(std::string_view n) {
  if (n.empty() || n.front() == '.' || n.back() == '.') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return n.find("..") == std::string_view::npos;
}

// "<text>@<visit>" with a non-empty text and a decimal visit.
bool is_stage_id(std::string_view s) {
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  for (char c : s.substr(at + 1))
    if (c < '0' || c > '9') return false;
  return true;
}

// "<stage id>:<index>".
bool is_branch_id(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == s.size() ||
      !is_stage_id(s.substr(0, colon)))
    return false;
  for (char c : s.substr(colon + 1))
    if (c < '0' || c > '9') return false;
  return true;
}

// Reads optional string `key` of `root` into `out`; false when it is
// neither absent, null nor a string.
bool optional_string(element root, const char* key, std::string& out) {
  auto v = root[key];
  if (v.error() || v.value().is_null()) return true;
  std::string_view s;
  if (v.get(s)) return false;
  out = std::string(s);
  return true;
}

}  // namespace

result<run_event> parse_appended_event(std::string_view body, std::string_view run_id) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(body.data(), body.size()).get(root)) return invalid("the body is not JSON");
  if (!root.is_object()) return invalid("the body must be a JSON object");
  std::string_view id, ts, rid, name;
  if (root["id"].get(id) || id.empty()) return invalid("`id` must be a non-empty string");
  if (root["ts"].get(ts)) return invalid("`ts` must be an RFC 3339 date-time string");
  auto ts_ms = parse_rfc3339_ms(ts);
  if (!ts_ms || *ts_ms < 0) return invalid("`ts` must be an RFC 3339 date-time string");
  if (root["run_id"].get(rid)) return invalid("`run_id` must be a string");
  if (rid != run_id) return make_problem(errc::invalid_request, kEventRunMismatch);
  if (root["event"].get(name) || !is_event_name(name))
    return invalid("`event` must be a dotted event name such as stage.started");
  run_event e;
  e.run_id = std::string(run_id);
  e.id = std::string(id);
  e.ts_ms = *ts_ms;
  e.event = std::string(name);
  if (auto p = root["properties"]; !p.error() && !p.value().is_null()) {
    if (!p.value().is_object()) return invalid("`properties` must be an object");
    e.properties_json = simdjson::minify(p.value());
  }
  if (auto a = root["actor"]; !a.error() && !a.value().is_null()) {
    simdjson::dom::object actor;
    std::string_view kind;
    if (a.get(actor) || actor["kind"].get(kind) ||
        (kind != "user" && kind != "agent" && kind != "system"))
      return invalid("`actor` must be {\"kind\": \"user\" | \"agent\" | \"system\", ...}");
    for (const char* k : {"id", "display"}) {
      auto v = actor[k];
      if (!v.error() && !v.value().is_null() && !v.value().is_string())
        return invalid(std::string("`actor.") + k + "` must be a string");
    }
    e.actor_json = simdjson::minify(a.value());
  }
  const std::pair<const char*, std::string*> strings[] = {
      {"node_id", &e.node_id},
      {"node_label", &e.node_label},
      {"stage_id", &e.stage_id},
      {"parallel_group_id", &e.parallel_group_id},
      {"parallel_branch_id", &e.parallel_branch_id},
      {"session_id", &e.session_id},
      {"parent_session_id", &e.parent_session_id},
      {"tool_call_id", &e.tool_call_id}};
  for (const auto& [key, out] : strings)
    if (!optional_string(root, key, *out))
      return invalid(std::string("`") + key + "` must be a string or null");
  if (!e.stage_id.empty() && !is_stage_id(e.stage_id))
    return invalid("`stage_id` must be \"node@visit\"");
  if (!e.parallel_group_id.empty() && !is_stage_id(e.parallel_group_id))
    return invalid("`parallel_group_id` must be \"node@visit\"");
  if (!e.parallel_branch_id.empty() && !is_branch_id(e.parallel_branch_id))
    return invalid("`parallel_branch_id` must be \"node@visit:index\"");
  return e;
}

}  // namespace fabro::model
