#include "model/run_creation.hpp"

#include "model/json_writer.hpp"
#include "model/ulid.hpp"

namespace fabro::model {

new_run make_new_run(const run_manifest& m, std::string manifest_bytes, std::string id,
                     int64_t now_ms, const std::string& workflow_name,
                     const std::string& graph_goal) {
  new_run out;
  run_record& r = out.record;
  r.id = std::move(id);
  r.status = run_status::submitted;
  r.created_at_ms = static_cast<int64_t>(ulid_timestamp_ms(r.id));
  r.workflow_name = workflow_name.empty() ? "unnamed" : workflow_name;
  r.goal = m.goal ? m.goal->text : graph_goal;
  r.labels = manifest_labels(m);
  r.host_repo_path = m.cwd;
  r.last_seq = 2;
  out.manifest_bytes = std::move(manifest_bytes);

  json_writer props;
  props.begin_object()
      .field("workflow_name", r.workflow_name)
      .field("target_path", m.target.path)
      .field("working_directory", m.cwd);
  if (!r.goal.empty()) props.field("goal", r.goal);
  props.key("labels").begin_object();
  for (const auto& [k, v] : r.labels) props.field(k, v);
  props.end_object().end_object();

  run_event created;
  created.run_id = r.id;
  created.seq = 1;
  created.ts_ms = now_ms;
  created.event = "run.created";
  created.properties_json = props.take();
  run_event submitted = created;
  submitted.seq = 2;
  submitted.event = "run.submitted";
  submitted.properties_json = "{}";
  out.events = {std::move(created), std::move(submitted)};
  return out;
}

}  // namespace fabro::model
