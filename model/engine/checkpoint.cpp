#include "model/engine/checkpoint.hpp"

#include <algorithm>

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

namespace {

// Whether every key of `before` is in `after` (a delta cannot remove one).
template <class Map>
bool keeps_keys(const Map& before, const Map& after) {
  if (after.size() < before.size()) return false;
  for (const auto& kv : before)
    if (!after.count(kv.first)) return false;
  return true;
}

bool extends(const checkpoint& prev, const checkpoint& c) {
  const auto& a = prev.completed_nodes;
  const auto& b = c.completed_nodes;
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin()) &&
         keeps_keys(prev.node_retries, c.node_retries) &&
         keeps_keys(prev.node_visits, c.node_visits) &&
         keeps_keys(prev.node_outcomes, c.node_outcomes) &&
         keeps_keys(prev.loop_failure_signatures, c.loop_failure_signatures);
}

// The entries of `after` that `before` lacks or holds with another value.
template <class Map>
void write_changed(json_writer& w, const char* key, const Map& before, const Map& after) {
  w.key(key).begin_object();
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    if (it == before.end() || it->second != v) w.field(k, v);
  }
  w.end_object();
}

}  // namespace

std::string checkpoint_event_json(const checkpoint& c, const checkpoint* prev) {
  json_writer w;
  w.begin_object();
  if (!prev || !extends(*prev, c)) {
    write_core(w, c);
    w.end_object();
    return w.take();
  }
  w.field("delta", true).field("current_node", c.current_node);
  if (!c.next_node_id.empty()) w.field("next_node_id", c.next_node_id);
  else w.field_null("next_node_id");
  w.key("completed_nodes").begin_array();
  for (auto i = prev->completed_nodes.size(); i < c.completed_nodes.size(); ++i)
    w.value(c.completed_nodes[i]);
  w.end_array();
  write_changed(w, "node_retries", prev->node_retries, c.node_retries);
  write_changed(w, "node_visits", prev->node_visits, c.node_visits);
  write_changed(w, "node_outcomes", prev->node_outcomes, c.node_outcomes);
  write_changed(w, "loop_failure_signatures", prev->loop_failure_signatures,
                c.loop_failure_signatures);
  w.end_object();
  return w.take();
}

result<checkpoint> apply_checkpoint_event(std::string_view json, const checkpoint* prev) {
  auto read = parse_checkpoint(json);
  if (!read) return read;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool delta = false;
  if (parser.parse(json.data(), json.size()).get(root) || root["delta"].get(delta) || !delta)
    return read;
  if (!prev) return make_problem(errc::internal, "checkpoint delta without a checkpoint before it");
  checkpoint c = *prev;
  c.current_node = std::move(read->current_node);
  c.next_node_id = std::move(read->next_node_id);
  for (auto& n : read->completed_nodes) c.completed_nodes.push_back(std::move(n));
  for (auto& [k, v] : read->node_retries) c.node_retries[k] = v;
  for (auto& [k, v] : read->node_visits) c.node_visits[k] = v;
  for (auto& [k, v] : read->node_outcomes) c.node_outcomes[k] = std::move(v);
  for (auto& [k, v] : read->loop_failure_signatures) c.loop_failure_signatures[k] = v;
  c.timestamp_ms = read->timestamp_ms;
  return c;
}

}  // namespace fabro::model
