// The run's side of the stage-handler seam (contract: actors/stage_handler.hpp).
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "actors/id_source.hpp"
#include "actors/run_state.hpp"
#include "model/llm/llm_stage.hpp"

namespace fabro::actors {

namespace {

// What a handler that honours the timeout (or a cancel) may take to end.
int64_t end_allowance_ms(const run_options& o) { return 2 * o.kill_grace_ms + 1000; }

void arm_deadline(run_pointer self) {
  auto& st = self->state;
  if (st.deadline_left_ms <= 0) return;
  st.deadline_armed_at_ms = now_ms();
  self->delayed_send(self, std::chrono::milliseconds(st.deadline_left_ms), resume_atom::value,
                     ++st.timer_token);
}

void tell_handler(run_pointer self, model::control_action action) {
  auto& st = self->state;
  if (st.handler)
    self->send(st.handler, stage_control_atom::value, st.live.id, st.stage.stage_id, action);
}

std::string artifact_prefix(const model::stage_request& req) {
  return "stages/" + req.stage_id + "/attempt-" + std::to_string(req.attempt) +
         (req.branch >= 0 ? "/" + req.node_id : "");
}

// The stage's reply (or failure) for call `call`, if it still counts.
void on_reply(run_pointer self, uint64_t call, stage_reply& r) {
  auto& st = self->state;
  if (st.wait != waiting::handler || call != st.call_id) return;
  ++st.timer_token;  // the deadline no longer applies
  st.handler = nullptr;
  close_question(self);
  const auto& req = st.stage;
  const auto* node = st.exec->graph().find_node(req.node_id);
  for (auto& e : r.events)
    emit(self, std::move(e.event), std::move(e.properties_json), req.node_id, node->label(),
         req.stage_id);
  for (auto& a : r.artifacts) {
    store::run_write w{store::write_kind::artifact, st.live, "", "", {}, "", ""};
    w.name = artifact_prefix(req) + "/" + a.name;
    w.payload = std::move(a.bytes);
    st.extra.push_back(std::move(w));
  }
  complete(self, to_outcome(r));
}

void on_failure(run_pointer self, uint64_t call, const std::string& key, std::string why) {
  auto& st = self->state;
  if (st.wait != waiting::handler || call != st.call_id) return;
  ++st.timer_token;
  st.handler = nullptr;
  close_question(self);
  complete(self, model::failed_outcome("The " + key + " stage handler failed: " + why,
                                       model::retry_kind::error));
}

}  // namespace

void call_handler(run_pointer self, const model::graph_node& node, stage_handler_actor handler) {
  auto& st = self->state;
  const auto& req = st.stage;
  stage_call call;
  call.run_id = st.live.id;
  call.node_id = node.id;
  call.node_label = node.label();
  call.stage_id = req.stage_id;
  call.handler_type = handler_key(node, st.opts.handlers);
  for (const auto& [k, v] : node.attrs) call.attributes.emplace(k, v.to_text());
  if (model::is_llm_handler(node.handler())) {
    // Fabro's layers decide the provider and model (model/llm/llm_stage.hpp).
    auto c = model::llm::choose_llm(st.exec->graph(), node, st.def.settings, st.opts.llm_defaults);
    for (auto [k, v] : {std::pair<const char*, std::string>{"provider", c.provider},
                        {"model", c.model}, {"reasoning_effort", c.reasoning_effort},
                        {"max_tokens", std::to_string(c.max_tokens)}})
      if (!v.empty()) call.attributes[k] = v;
  }
  call.prompt = node.prompt().value_or(node.label());
  for (const auto& [k, v] : st.exec->context()) call.context.emplace(k, v);
  call.attempt = req.attempt;
  call.max_attempts = req.max_attempts;
  call.work_dir = st.work_dir;
  call.timeout_ms = node.timeout_ms().value_or(0);
  call.env = st.stage_env;
  call.sandbox_argv = st.sandbox_argv;
  call.artifact_prefix = artifact_prefix(req);
  call.choices = model::gate_choices(st.exec->graph(), node);
  call.events = caf::actor_cast<stage_event_sink>(self);
  call.interviewer = caf::actor_cast<stage_interviewer>(self);
  st.wait = waiting::handler;
  st.handler = handler;
  auto id = ++st.call_id;
  st.deadline_left_ms = call.timeout_ms > 0 ? call.timeout_ms + end_allowance_ms(st.opts) : 0;
  arm_deadline(self);
  auto key = call.handler_type;
  self->request(handler, caf::infinite, stage_atom::value, std::move(call))
      .then(
          [=](stage_reply& r) {
            admit_input(self, [=, r = std::move(r)]() mutable { on_reply(self, id, r); });
          },
          [=](caf::error& err) {
            auto why = self->system().render(err);
            admit_input(self, [=] { on_failure(self, id, key, why); });
          });
}

void on_stage_event(run_pointer self, const std::string& stage_id, std::string event,
                    std::string props) {
  auto& st = self->state;
  if (st.wait != waiting::handler || stage_id != st.stage.stage_id) return;
  emit(self, std::move(event), std::move(props), st.stage.node_id,
       st.exec->graph().find_node(st.stage.node_id)->label(), stage_id);
  commit_pending(self, nullptr);
}

void on_handler_deadline(run_pointer self, uint64_t token) {
  auto& st = self->state;
  if (token != st.timer_token || st.wait != waiting::handler) return;
  close_question(self);
  if (st.live.pending_control == model::control_action::cancel) return finish_cancelled(self);
  // No reply within the node's timeout (and the grace): the stage timed out.
  tell_handler(self, model::control_action::cancel);
  const auto* node = st.exec->graph().find_node(st.stage.node_id);
  auto timeout = node->timeout_ms().value_or(0);
  ++st.call_id;  // a late reply no longer counts
  st.handler = nullptr;
  complete(self, model::failed_outcome("Stage timed out after " + std::to_string(timeout) +
                                           "ms without an answer from its " +
                                           handler_key(*node, st.opts.handlers) + " handler",
                                       model::retry_kind::error));
}

void control_handler(run_pointer self, model::control_action action) {
  auto& st = self->state;
  tell_handler(self, action);
  switch (action) {
    case model::control_action::cancel:
      // Ends with the reply, or after the end allowance at the latest.
      st.deadline_left_ms = end_allowance_ms(st.opts);
      arm_deadline(self);
      return;
    case model::control_action::pause:
      if (st.deadline_left_ms > 0) {
        st.deadline_left_ms =
            std::max<int64_t>(1, st.deadline_left_ms - (now_ms() - st.deadline_armed_at_ms));
        ++st.timer_token;  // stopped while paused
      }
      return;
    case model::control_action::unpause:
      arm_deadline(self);
      return;
    case model::control_action::none: return;
  }
}

}  // namespace fabro::actors
