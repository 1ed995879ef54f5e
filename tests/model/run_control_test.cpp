#include "model/run_control.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

namespace {
run_record in(run_status s, control_action pending = control_action::none) {
  run_record r;
  r.status = s;
  r.pending_control = pending;
  return r;
}
std::string refusal(const result<control_effect>& r) { return r ? "" : r.error().detail; }
}  // namespace

TEST_CASE("cancel ends waiting runs at once and asks active runs to stop", "[model]") {
  CHECK(*decide_control(in(run_status::submitted), control_action::cancel) == control_effect::end_now);
  CHECK(*decide_control(in(run_status::queued), control_action::cancel) == control_effect::end_now);
  for (auto s : {run_status::starting, run_status::running, run_status::paused})
    CHECK(*decide_control(in(s), control_action::cancel) == control_effect::request);
}

TEST_CASE("cancel overrides a pending pause or unpause and repeats quietly", "[model]") {
  CHECK(*decide_control(in(run_status::running, control_action::pause), control_action::cancel) ==
        control_effect::request);
  CHECK(*decide_control(in(run_status::paused, control_action::unpause), control_action::cancel) ==
        control_effect::request);
  CHECK(*decide_control(in(run_status::running, control_action::cancel), control_action::cancel) ==
        control_effect::repeat);
}

TEST_CASE("terminal runs refuse every control in Fabro's words", "[model]") {
  for (auto s : {run_status::completed, run_status::failed, run_status::cancelled}) {
    CHECK(refusal(decide_control(in(s), control_action::cancel)) == "Run is not cancellable.");
    CHECK(refusal(decide_control(in(s), control_action::pause)) == "Run is not pausable.");
    CHECK(refusal(decide_control(in(s), control_action::unpause)) == "Run is not paused.");
  }
}

TEST_CASE("pause needs a running run and unpause a paused one, with nothing pending", "[model]") {
  CHECK(refusal(decide_control(in(run_status::queued), control_action::pause)) == "Run is not pausable.");
  CHECK(refusal(decide_control(in(run_status::paused), control_action::pause)) == "Run is not pausable.");
  CHECK(refusal(decide_control(in(run_status::running), control_action::unpause)) == "Run is not paused.");
  CHECK(*decide_control(in(run_status::running), control_action::pause) == control_effect::request);
  CHECK(*decide_control(in(run_status::paused), control_action::unpause) == control_effect::request);
  CHECK(refusal(decide_control(in(run_status::running, control_action::pause), control_action::pause)) ==
        "Run control request is already pending.");
  CHECK(refusal(decide_control(in(run_status::paused, control_action::unpause), control_action::unpause)) ==
        "Run control request is already pending.");
  CHECK(refusal(decide_control(in(run_status::running, control_action::cancel), control_action::pause)) ==
        "Run control request is already pending.");
}
