#include "model/run_json.hpp"

#include <algorithm>

#include "model/timestamp.hpp"

namespace fabro::model {
namespace {

// Fields shared by both shapes, in RunStatusResponse's omission style.
void write_status_fields(json_writer& w, const run_record& r) {
  w.field("id", r.id).field("status", to_string(r.status));
  w.field("created_at", format_rfc3339_ms(r.created_at_ms));
  if (!r.error_message.empty()) {
    w.key("error").begin_object().field("message", r.error_message).end_object();
  }
  if (r.status == run_status::queued && r.queue_position > 0)
    w.field("queue_position", r.queue_position);
}

void field_or_null(json_writer& w, const char* k, const std::string& v) {
  if (v.empty()) w.field_null(k); else w.field(k, v);
}

}  // namespace

std::string status_response_json(const run_record& r) {
  json_writer w;
  w.begin_object();
  write_status_fields(w, r);
  if (r.reason != status_reason::none) w.field("status_reason", to_string(r.reason));
  if (r.pending_control != control_action::none)
    w.field("pending_control", to_string(r.pending_control));
  w.end_object();
  return w.take();
}

void write_summary(json_writer& w, const run_record& r) {
  w.begin_object();
  write_status_fields(w, r);
  w.field("run_id", r.id);
  field_or_null(w, "workflow_name", r.workflow_name);
  w.field_null("workflow_slug");
  field_or_null(w, "goal", r.goal);
  w.key("labels").begin_object();
  for (const auto& [k, v] : r.labels) w.field(k, v);
  w.end_object();
  field_or_null(w, "host_repo_path", r.host_repo_path);
  if (r.start_time_ms >= 0) w.field("start_time", format_rfc3339_ms(r.start_time_ms));
  else w.field_null("start_time");
  field_or_null(w, "status_reason", to_string(r.reason));
  field_or_null(w, "pending_control", to_string(r.pending_control));
  if (r.duration_ms >= 0) w.field("duration_ms", static_cast<int64_t>(r.duration_ms));
  else w.field_null("duration_ms");
  w.field_null("total_usd_micros");
  w.end_object();
}

std::string summary_json(const run_record& r) {
  json_writer w;
  write_summary(w, r);
  return w.take();
}

std::string page_json(const std::vector<std::string>& items, bool has_more) {
  json_writer w;
  w.begin_object().key("data").begin_array();
  for (const auto& item : items) w.raw(item);
  w.end_array().key("meta").begin_object().field("has_more", has_more).end_object();
  w.end_object();
  return w.take();
}

}  // namespace fabro::model
