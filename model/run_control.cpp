#include "model/run_control.hpp"

namespace fabro::model {

result<control_effect> decide_control(const run_record& run, control_action action) {
  auto conflict = [](const char* text) { return make_problem(errc::conflict, text); };
  switch (action) {
    case control_action::cancel:
      if (is_terminal(run.status)) return conflict("Run is not cancellable.");
      if (run.status == run_status::submitted || run.status == run_status::queued)
        return control_effect::end_now;
      if (run.pending_control == control_action::cancel) return control_effect::repeat;
      return control_effect::request;  // overrides a pending pause/unpause
    case control_action::pause:
      if (run.status != run_status::running) return conflict("Run is not pausable.");
      if (run.pending_control != control_action::none)
        return conflict("Run control request is already pending.");
      return control_effect::request;
    case control_action::unpause:
      if (run.status != run_status::paused) return conflict("Run is not paused.");
      if (run.pending_control != control_action::none)
        return conflict("Run control request is already pending.");
      return control_effect::request;
    case control_action::none:
      break;
  }
  return make_problem(errc::invalid_request, "Unknown control action.");
}

run_record with_pending(run_record run, control_action action) {
  run.pending_control = action;
  return run;
}

}  // namespace fabro::model
