#include "model/run_queueing.hpp"

#include "model/run_status.hpp"

namespace fabro::model {

problem engine_running(bool resume) {
  return make_problem(errc::conflict,
                      std::string("an engine process is still running for this run \u2014 cannot ") +
                          (resume ? "resume" : "start"));
}

problem not_startable(run_status status) {
  return make_problem(errc::conflict,
                      "cannot start run: status is " + status_title(status) + ", expected submitted");
}

problem no_checkpoint() { return make_problem(errc::conflict, "no checkpoint to resume from"); }

result<done> check_queueable(const run_record& r, bool resume) {
  if (r.status == run_status::submitted) return done{};
  if (is_terminal(r.status)) {
    if (resume) return done{};
    return not_startable(r.status);
  }
  return engine_running(resume);
}

queued_run queue_run(run_record r, uint64_t queue_seq, bool resume) {
  if (is_terminal(r.status)) {
    // A finished run comes back for another go from its checkpoint.
    r.reason = status_reason::none;
    r.error_message.clear();
    r.duration_ms = -1;
  }
  r.status = run_status::queued;
  r.queue_seq = queue_seq;
  r.pending_control = control_action::none;
  queued_run out;
  out.event.run_id = r.id;
  out.event.seq = ++r.last_seq;
  out.event.event = "run.queued";
  out.event.properties_json = resume ? "{\"resume\":true}" : "{}";
  out.record = std::move(r);
  return out;
}

}  // namespace fabro::model
