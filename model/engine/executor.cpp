#include "model/engine/executor.hpp"

#include "model/engine/failure.hpp"
#include "model/engine/goal_gates.hpp"
#include "model/engine/handlers.hpp"
#include "model/json_writer.hpp"
#include "model/workflow/edge_selection.hpp"

namespace fabro::model {

result<executor> executor::create(workflow_graph g, executor_options opts) {
  const graph_node* start = g.find_start();
  if (!start) return make_problem(errc::validation_failed, "The workflow has no start node.");
  executor ex(std::move(g), std::move(opts));
  ex.current_id_ = start->id;
  return ex;
}

executor::executor(workflow_graph g, executor_options opts)
    : g_(std::move(g)), opts_(std::move(opts)) {}

std::vector<engine_event> executor::take_events() {
  std::vector<engine_event> out;
  out.swap(events_);
  return out;
}

std::optional<checkpoint> executor::take_checkpoint() {
  auto out = std::move(checkpoint_);
  checkpoint_.reset();
  return out;
}

void executor::emit(const char* name, std::string props, const std::string& node_id,
                    const std::string& stage_id) {
  engine_event e{name, std::move(props), node_id, "", stage_id};
  if (const graph_node* n = node_id.empty() ? nullptr : g_.find_node(node_id))
    e.node_label = n->label();
  events_.push_back(std::move(e));
}

void executor::seed_context() {
  context_["graph.goal"] = g_.goal();
  for (const auto& [k, v] : g_.attrs) context_["graph." + k] = v.to_text();
  context_["internal.run_id"] = opts_.run_id;
  if (!opts_.work_dir.empty()) context_["internal.work_dir"] = opts_.work_dir;
}

step executor::begin() {
  seed_context();
  json_writer w;
  w.begin_object().field("name", g_.name);
  if (!g_.goal().empty()) w.field("goal", g_.goal());
  w.end_object();
  emit("run.started", w.take(), "", "");
  return step{};
}

step executor::resume(const checkpoint& c) {
  seed_context();
  for (const auto& [k, v] : c.context_values) context_[k] = v;
  completed_ = c.completed_nodes;
  retries_ = c.node_retries;
  visits_ = c.node_visits;
  signatures_ = c.loop_failure_signatures;
  for (const auto& [k, v] : c.node_outcomes)
    for (auto s : {stage_status::succeeded, stage_status::failed,
                   stage_status::partially_succeeded, stage_status::skipped})
      if (v == to_string(s)) latest_[k] = s;
  json_writer w;
  w.begin_object().field("name", g_.name).field("resumed_from", c.current_node).end_object();
  emit("run.started", w.take(), "", "");
  if (!c.next_node_id.empty()) {
    current_id_ = c.next_node_id;
    return step{};
  }
  // The run ended at current_node: a failure there is what a resume retries;
  // a success there left nothing to do.
  auto it = c.node_outcomes.find(c.current_node);
  if (it == c.node_outcomes.end() || it->second != to_string(stage_status::failed))
    return finish(true, "");
  latest_.erase(c.current_node);
  current_id_ = c.current_node;
  return step{};
}

step executor::finish(bool ok, std::string error) {
  step s;
  s.kind = step_kind::finished;
  s.succeeded = ok;
  s.error = std::move(error);
  return s;
}

step executor::proceed() {
  // Terminal nodes check the goal gates; a failed gate jumps to its target.
  while (true) {
    const graph_node* n = g_.find_node(current_id_);
    if (!n) return finish(false, "node \"" + current_id_ + "\" does not exist");
    if (!n->is_terminal()) break;
    auto gate = failed_goal_gate(g_, latest_);
    if (!gate) {
      auto sid = n->id + "@" + std::to_string(visits_[n->id] + 1);
      emit("stage.started", R"({"attempt":1,"max_attempts":1,"handler_type":"exit"})", n->id, sid);
      emit("stage.completed", R"({"status":"succeeded"})", n->id, sid);
      return finish(true, "");
    }
    auto target = retry_target_for(g_, *gate);
    if (!target || node(*target).is_terminal())
      return finish(false, "goal gate unsatisfied for node " + *gate + " and no retry target");
    current_id_ = *target;
  }
  const graph_node& n = node(current_id_);
  int64_t visits = ++visits_[n.id];
  int64_t graph_limit = g_.max_node_visits();
  if (graph_limit <= 0 && opts_.dry_run) graph_limit = 10;
  auto stuck = [&](const char* which, int64_t limit) {
    return finish(false, "node \"" + n.id + "\" visited " + std::to_string(visits) + " times (" +
                             which + " limit " + std::to_string(limit) +
                             "); run is stuck in a cycle");
  };
  if (auto m = n.max_visits(); m && *m > 0 && visits >= *m) return stuck("node", *m);
  if (graph_limit > 0 && visits >= graph_limit) return stuck("graph", graph_limit);
  context_["current_node"] = n.id;
  context_["internal.node_visit_count"] = std::to_string(visits);
  policy_ = build_retry_policy(n, g_);
  stage_ = stage_request{n.id, n.id + "@" + std::to_string(visits), 1, policy_.max_attempts, -1};
  if (n.handler() == handler_type::parallel) return begin_parallel(n);
  return begin_attempt();
}

step executor::begin_attempt() {
  const graph_node& n = node(stage_.node_id);
  auto external = external_type(n);
  json_writer w;
  w.begin_object()
      .field("attempt", stage_.attempt)
      .field("max_attempts", stage_.max_attempts)
      .field("handler_type", external.empty() ? to_string(n.handler()) : external)
      .end_object();
  emit("stage.started", w.take(), n.id, stage_.stage_id);
  return run_stage(n);
}

step executor::run_stage(const graph_node& n) {
  if (n.handler() == handler_type::fan_in) return complete(fan_in_outcome());
  if (needs_actor(n, opts_.dry_run, opts_.auto_approve) || !external_type(n).empty()) {
    step s;
    s.kind = step_kind::execute;
    s.stage = stage_;
    return s;
  }
  return complete(simulated_outcome(g_, n));
}

step executor::retry() {
  ++stage_.attempt;
  return begin_attempt();
}

step executor::complete(stage_outcome o) {
  if (stage_.branch >= 0) return complete_branch(std::move(o));
  const graph_node& n = node(stage_.node_id);
  if (o.failed() && o.retry != retry_kind::none && stage_.attempt < stage_.max_attempts) {
    int64_t delay = backoff_delay_ms(policy_, stage_.attempt, opts_.jitter, draw());
    json_writer f;
    f.begin_object()
        .field("status", "failed")
        .field("error", o.failure_message)
        .field("failure_class", o.failure_class)
        .field("attempt", stage_.attempt)
        .field("max_attempts", stage_.max_attempts)
        .field("will_retry", true)
        .end_object();
    emit("stage.failed", f.take(), n.id, stage_.stage_id);
    json_writer r;
    r.begin_object()
        .field("attempt", stage_.attempt + 1)
        .field("max_attempts", stage_.max_attempts)
        .field("delay_ms", delay)
        .end_object();
    emit("stage.retrying", r.take(), n.id, stage_.stage_id);
    retries_[n.id] = stage_.attempt;
    step s;
    s.kind = step_kind::backoff;
    s.delay_ms = delay;
    return s;
  }
  if (o.failed() && o.retry == retry_kind::requested && n.allow_partial())
    o.status = stage_status::partially_succeeded;
  if (o.failed() && o.retry == retry_kind::error)
    o.failure_message = "Handler error: " + o.failure_message;
  return finish_stage(std::move(o));
}

step executor::finish_stage(stage_outcome o) {
  const graph_node& n = node(stage_.node_id);
  if (n.auto_status() && o.status != stage_status::succeeded &&
      o.status != stage_status::skipped) {
    o.status = stage_status::succeeded;
    o.notes += (o.notes.empty() ? "" : "; ") + std::string("auto_status: treated as succeeded");
  }
  std::string signature;
  if (o.failed()) {
    signature = failure_signature(n.id, o.failure_class, o.failure_message);
    if (counts_for_circuit_breaker(o.failure_class)) {
      int64_t count = ++signatures_[signature];
      int64_t limit = g_.loop_restart_signature_limit();
      if (count >= limit) {
        json_writer f;
        f.begin_object().field("status", "failed").field("error", o.failure_message)
            .field("failure_class", o.failure_class).field("will_retry", false).end_object();
        emit("stage.failed", f.take(), n.id, stage_.stage_id);
        return finish(false, "deterministic failure cycle detected: signature " + signature +
                                 " repeated " + std::to_string(count) + " times (limit " +
                                 std::to_string(limit) + ")");
      }
    }
  }
  if (o.status != stage_status::skipped) {
    json_writer w;
    w.begin_object().field("status", to_string(o.status));
    if (!o.notes.empty()) w.field("notes", o.notes);
    if (!o.preferred_label.empty()) w.field("preferred_label", o.preferred_label);
    if (!o.billing_json.empty()) w.field_raw("billing", o.billing_json);
    if (o.failed()) {
      w.field("error", o.failure_message).field("failure_class", o.failure_class);
      w.field("will_retry", false);
    }
    w.end_object();
    emit(o.failed() ? "stage.failed" : "stage.completed", w.take(), n.id, stage_.stage_id);
  }
  completed_.push_back(n.id);
  latest_[n.id] = o.status;
  for (auto& [k, v] : o.context_updates) context_[k] = v;
  context_["internal.retry_count." + n.id] = std::to_string(stage_.attempt - 1);
  context_["outcome"] = to_string(o.status);
  context_["failure_class"] = o.failed() ? o.failure_class : "";
  context_["failure_signature"] = signature;
  if (!o.preferred_label.empty()) context_["preferred_label"] = o.preferred_label;
  return route(n, o);
}

step executor::route(const graph_node& n, const stage_outcome& o) {
  std::string target, reason;
  const graph_edge* edge = nullptr;
  if (!o.jump_to_node.empty()) {
    target = o.jump_to_node;
    reason = "jump";
  } else {
    condition_context ctx{to_string(o.status), o.preferred_label, context_};
    if (auto choice = select_edge(g_, n.id, o.routing(), ctx, draw())) {
      edge = &g_.edges()[choice->edge_index];
      target = edge->to;
      reason = to_string(choice->reason);
    } else if (o.failed()) {
      auto rt = retry_target_for(g_, n.id);
      if (!rt) {
        save_checkpoint("");
        return finish(false, "stage \"" + n.id + "\" failed with no outgoing fail edge: " +
                                 o.failure_message);
      }
      target = *rt;
      reason = "retry_target";
    } else {
      save_checkpoint("");
      return finish(true, "");  // a dead end that succeeded ends the run
    }
  }
  json_writer w;
  w.begin_object().field("from_node", n.id).field("to_node", target);
  if (edge && edge->label()) w.field("label", *edge->label());
  else w.field_null("label");
  if (edge && edge->is_conditional()) w.field("condition", edge->condition());
  else w.field_null("condition");
  w.field("reason", reason).field("stage_status", to_string(o.status))
      .field("is_jump", reason == "jump").end_object();
  emit("edge.selected", w.take(), n.id, stage_.stage_id);
  save_checkpoint(target);
  if (edge && edge->loop_restart()) {
    if (o.failed() && o.failure_class != "transient_infra")
      return finish(false, "loop_restart blocked: failure_class=" + o.failure_class);
    context_.clear();
    completed_.clear();
    latest_.clear();
    retries_.clear();
    json_writer r;
    r.begin_object().field("from_node", n.id).field("to_node", target).end_object();
    emit("loop.restart", r.take(), n.id, stage_.stage_id);
    begin();
  }
  current_id_ = target;
  return step{};
}

void executor::save_checkpoint(const std::string& next) {
  checkpoint c;
  c.current_node = stage_.node_id;
  c.next_node_id = next;
  c.completed_nodes = completed_;
  c.node_retries = retries_;
  c.node_visits = visits_;
  for (const auto& [k, v] : latest_) c.node_outcomes[k] = to_string(v);
  c.context_values.insert(context_.begin(), context_.end());
  c.loop_failure_signatures = signatures_;
  emit("checkpoint.completed", checkpoint_event_json(c, emitted_ ? &*emitted_ : nullptr),
       stage_.node_id, stage_.stage_id);
  emitted_ = c;
  checkpoint_ = std::move(c);
}

}  // namespace fabro::model
