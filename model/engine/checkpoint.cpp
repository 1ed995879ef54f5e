#include "model/engine/checkpoint.hpp"

#include <simdjson.h>

#include "model/json_writer.hpp"
#include "model/timestamp.hpp"

namespace fabro::model {
namespace {

template <class Map>
void write_map(json_writer& w, const char* key, const Map& m) {
  w.key(key).begin_object();
  for (const auto& [k, v] : m) w.field(k, v);
  w.end_object();
}

// The fields every form shares. An empty next_node_id is written null, or
// left out when `omit_empty_next` (Fabro's RunCheckpoint).
void write_core(json_writer& w, const checkpoint& c, bool omit_empty_next = false) {
  w.field("current_node", c.current_node);
  if (!c.next_node_id.empty()) w.field("next_node_id", c.next_node_id);
  else if (!omit_empty_next) w.field_null("next_node_id");
  w.key("completed_nodes").begin_array();
  for (const auto& n : c.completed_nodes) w.value(n);
  w.end_array();
  write_map(w, "node_retries", c.node_retries);
  write_map(w, "node_visits", c.node_visits);
  write_map(w, "node_outcomes", c.node_outcomes);
  write_map(w, "loop_failure_signatures", c.loop_failure_signatures);
}

}  // namespace

std::string to_json(const checkpoint& c) {
  json_writer w;
  w.begin_object();
  write_core(w, c);
  write_map(w, "context_values", c.context_values);
  if (c.timestamp_ms > 0) w.field("timestamp_ms", c.timestamp_ms);
  w.end_object();
  return w.take();
}

std::string api_checkpoint_json(const checkpoint& c) {
  json_writer w;
  w.begin_object().field("timestamp", format_rfc3339_ms(c.timestamp_ms));
  write_core(w, c, /*omit_empty_next=*/true);
  write_map(w, "context_values", c.context_values);
  w.end_object();
  return w.take();
}

namespace {

template <class V>
bool read_map(simdjson::dom::element root, const char* key, std::map<std::string, V>& out) {
  simdjson::dom::object obj;
  if (root[key].get(obj)) return false;
  for (auto f : obj) {
    V v;
    if (f.value.get(v)) return false;
    out[std::string(f.key)] = v;
  }
  return true;
}

template <>
bool read_map(simdjson::dom::element root, const char* key,
              std::map<std::string, std::string>& out) {
  simdjson::dom::object obj;
  if (root[key].get(obj)) return false;
  for (auto f : obj) {
    std::string_view v;
    if (f.value.get(v)) return false;
    out[std::string(f.key)] = std::string(v);
  }
  return true;
}

}  // namespace

result<checkpoint> parse_checkpoint(std::string_view json) {
  auto bad = [] { return make_problem(errc::internal, "stored checkpoint is unreadable"); };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return bad();
  checkpoint c;
  std::string_view sv;
  if (root["current_node"].get(sv)) return bad();
  c.current_node = std::string(sv);
  if (!root["next_node_id"].get(sv)) c.next_node_id = std::string(sv);
  simdjson::dom::array done;
  if (root["completed_nodes"].get(done)) return bad();
  for (auto n : done) {
    if (n.get(sv)) return bad();
    c.completed_nodes.emplace_back(sv);
  }
  if (!read_map(root, "node_retries", c.node_retries) ||
      !read_map(root, "node_visits", c.node_visits) ||
      !read_map(root, "node_outcomes", c.node_outcomes) ||
      !read_map(root, "loop_failure_signatures", c.loop_failure_signatures))
    return bad();
  // checkpoint_event_json leaves the context out.
  if (!root["context_values"].error() && !read_map(root, "context_values", c.context_values))
    return bad();
  int64_t ts = 0;
  if (!root["timestamp_ms"].get(ts)) c.timestamp_ms = ts;
  return c;
}

std::string checkpoint_event_json(const checkpoint& c) {
  json_writer w;
  w.begin_object();
  write_core(w, c);
  w.end_object();
  return w.take();
}

}  // namespace fabro::model
