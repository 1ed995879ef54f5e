// What a control request does to a run (reference §4.6, DESIGN §4.4):
// the 409 answers in Fabro's words and the priority cancel > pause >
// unpause. Pure; the run actor applies the decision.
#pragma once

#include "model/result.hpp"
#include "model/run_record.hpp"

namespace fabro::model {

enum class control_effect {
  end_now,   // cancel of a submitted/queued run: cancelled at once
  request,   // record run.<action>.requested, set pending_control, act
  repeat,    // the same cancel is already pending: answer, record nothing
};

// REQUIRES: `action` is not control_action::none. Fails with errc::conflict:
// "Run is not cancellable." (terminal), "Run is not pausable." (not
// running), "Run is not paused.", "Run control request is already pending."
// (a pause/unpause while any request is pending; cancel overrides them).
result<control_effect> decide_control(const run_record& run, control_action action);

// The record after `action` was requested (pending_control set).
run_record with_pending(run_record run, control_action action);

}  // namespace fabro::model
