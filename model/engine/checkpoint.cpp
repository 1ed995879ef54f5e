#include "model/engine/checkpoint.hpp"

#include "model/json_writer.hpp"

namespace fabro::model {
namespace {

template <class Map>
void write_map(json_writer& w, const char* key, const Map& m) {
  w.key(key).begin_object();
  for (const auto& [k, v] : m) w.field(k, v);
  w.end_object();
}

void write_core(json_writer& w, const checkpoint& c) {
  w.field("current_node", c.current_node);
  if (c.next_node_id.empty()) w.field_null("next_node_id");
  else w.field("next_node_id", c.next_node_id);
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
  w.end_object();
  return w.take();
}

std::string checkpoint_event_json(const checkpoint& c) {
  json_writer w;
  w.begin_object();
  write_core(w, c);
  w.end_object();
  return w.take();
}

}  // namespace fabro::model
