#include "model/run_recovery.hpp"

#include "model/json_writer.hpp"

namespace fabro::model {

namespace {

recovery_step recover(const run_record& r, int64_t now_ms, std::string error) {
  recovery_step step{r, std::nullopt};
  if (r.status == run_status::submitted || r.status == run_status::queued) return step;

  const bool cancelled = r.pending_control == control_action::cancel;
  run_record& out = step.record;
  out.status = cancelled ? run_status::cancelled : run_status::failed;
  out.reason = cancelled ? status_reason::cancelled : status_reason::terminated;
  out.pending_control = control_action::none;
  out.error_message = std::move(error);
  out.duration_ms = r.start_time_ms >= 0 ? now_ms - r.start_time_ms : 0;
  out.last_seq = r.last_seq + 1;

  run_event e;
  e.run_id = r.id;
  e.seq = out.last_seq;
  e.ts_ms = now_ms;
  e.event = "run.failed";
  json_writer props;
  props.begin_object()
      .field("error", out.error_message)
      .field("duration_ms", out.duration_ms)
      .field("reason", to_string(out.reason))
      .end_object();
  e.properties_json = props.take();
  step.event = std::move(e);
  return step;
}

}  // namespace

recovery_step recover_after_restart(const run_record& r, int64_t now_ms) {
  return recover(r, now_ms,
                 "Engine error: Fabro server restarted before the run reached a terminal state.");
}

recovery_step recover_after_node_loss(const run_record& r, int64_t now_ms,
                                      const std::string& node) {
  return recover(r, now_ms,
                 "Engine error: node " + node +
                     ", which executed the run, went away before the run reached a terminal "
                     "state.");
}

}  // namespace fabro::model
