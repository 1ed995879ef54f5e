#include "model/run_event.hpp"

#include "model/json_writer.hpp"
#include "model/timestamp.hpp"

namespace fabro::model {

std::string make_uuid_v7(uint64_t unix_ms, const std::array<uint8_t, 10>& random) {
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) b[6 + i] = random[i];
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));  // RFC 4122 variant
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0xF]);
  }
  return out;
}

std::string envelope_json(const run_event& e) {
  json_writer w;
  w.begin_object()
      .field("seq", e.seq)
      .field("id", e.id)
      .field("ts", format_rfc3339_ms(e.ts_ms))
      .field("run_id", e.run_id)
      .field("event", e.event)
      .field_raw("properties", e.properties_json.empty() ? "{}" : e.properties_json);
  if (!e.node_id.empty()) w.field("node_id", e.node_id);
  if (!e.node_label.empty()) w.field("node_label", e.node_label);
  if (!e.stage_id.empty()) w.field("stage_id", e.stage_id);
  if (!e.actor_json.empty()) w.field_raw("actor", e.actor_json);
  const std::pair<const char*, const std::string*> more[] = {
      {"parallel_group_id", &e.parallel_group_id}, {"parallel_branch_id", &e.parallel_branch_id},
      {"session_id", &e.session_id}, {"parent_session_id", &e.parent_session_id},
      {"tool_call_id", &e.tool_call_id}};
  for (const auto& [key, value] : more)
    if (!value->empty()) w.field(key, *value);
  w.end_object();
  return w.take();
}

}  // namespace fabro::model
