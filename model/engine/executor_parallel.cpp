// The parallel and fan-in parts of the executor (reference §3.2, §4.1):
// branches run one after another, each on the shared context; the results
// feed parallel.results and the fan-in's best pick.
#include <algorithm>
#include <set>

#include "model/engine/executor.hpp"
#include "model/engine/handlers.hpp"
#include "model/json_writer.hpp"

namespace fabro::model {
namespace {

int rank(stage_status s) {
  switch (s) {
    case stage_status::succeeded: return 0;
    case stage_status::partially_succeeded: return 1;
    default: return 2;
  }
}

// The common successor of every branch, smallest ID first; "" if none.
std::string join_node(const workflow_graph& g, const std::vector<std::string>& branches) {
  std::optional<std::set<std::string>> common;
  for (const auto& b : branches) {
    std::set<std::string> next;
    for (auto i : g.outgoing(b)) next.insert(g.edges()[i].to);
    if (!common) {
      common = std::move(next);
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(common->begin(), common->end(), next.begin(), next.end(),
                          std::inserter(both, both.begin()));
    common = std::move(both);
  }
  return common && !common->empty() ? *common->begin() : "";
}

}  // namespace

step executor::begin_parallel(const graph_node& n) {
  parallel_state p;
  for (auto i : g_.outgoing(n.id)) p.targets.push_back(g_.edges()[i].to);
  json_writer w;
  w.begin_object().field("attempt", int64_t{1}).field("max_attempts", int64_t{1})
      .field("handler_type", "parallel").end_object();
  emit("stage.started", w.take(), n.id, stage_.stage_id);
  json_writer s;
  s.begin_object().field("branch_count", static_cast<uint64_t>(p.targets.size()))
      .field("join_policy", n.join_policy()).end_object();
  emit("parallel.started", s.take(), n.id, stage_.stage_id);
  parallel_ = std::move(p);
  return run_branch();
}

step executor::run_branch() {
  auto& p = *parallel_;
  if (p.next == p.targets.size()) {
    const graph_node& n = node(stage_.node_id);
    size_t ok = 0;
    json_writer r;
    r.begin_array();
    for (const auto& [id, status] : p.results) {
      ok += status != stage_status::failed;
      r.begin_object().field("id", id).field("status", to_string(status)).end_object();
    }
    r.end_array();
    stage_outcome o;
    if (n.join_policy() == "first_success") {
      o.status = ok > 0 ? stage_status::succeeded : stage_status::failed;
    } else {
      o.status = ok == p.results.size() ? stage_status::succeeded
                                        : stage_status::partially_succeeded;
    }
    if (o.failed()) o = failed_outcome("No parallel branch succeeded");
    o.context_updates["parallel.results"] = r.take();
    o.context_updates["parallel.branch_count"] = std::to_string(p.results.size());
    o.jump_to_node = join_node(g_, p.targets);
    json_writer c;
    c.begin_object().field("success_count", static_cast<uint64_t>(ok))
        .field("failure_count", static_cast<uint64_t>(p.results.size() - ok)).end_object();
    emit("parallel.completed", c.take(), n.id, stage_.stage_id);
    last_parallel_ = std::move(p.results);
    parallel_.reset();
    stage_.branch = -1;
    return finish_stage(std::move(o));
  }
  const auto& target = p.targets[p.next];
  stage_.branch = static_cast<int>(p.next);
  json_writer w;
  w.begin_object().field("branch_index", static_cast<uint64_t>(p.next))
      .field("node_id", target).end_object();
  emit("parallel.branch.started", w.take(), stage_.node_id, stage_.stage_id);
  const graph_node* b = g_.find_node(target);
  if (!b) return complete_branch(failed_outcome("branch node " + target + " does not exist"));
  if (needs_actor(*b, opts_.dry_run, opts_.auto_approve) || !external_type(*b).empty()) {
    step s;
    s.kind = step_kind::execute;
    s.stage = stage_;
    s.stage.node_id = target;
    return s;
  }
  auto h = b->handler();
  if (h == handler_type::parallel || h == handler_type::fan_in) return complete_branch(succeeded_outcome());
  return complete_branch(simulated_outcome(g_, *b));
}

step executor::complete_branch(stage_outcome o) {
  auto& p = *parallel_;
  const auto& target = p.targets[p.next];
  p.results.emplace_back(target, o.status);
  json_writer w;
  w.begin_object().field("branch_index", static_cast<uint64_t>(p.next))
      .field("node_id", target).field("status", to_string(o.status));
  if (o.failed()) w.field("error", o.failure_message);
  w.end_object();
  emit("parallel.branch.completed", w.take(), stage_.node_id, stage_.stage_id);
  ++p.next;
  return run_branch();
}

stage_outcome executor::fan_in_outcome() const {
  if (last_parallel_.empty()) return failed_outcome("No parallel results to evaluate");
  auto best = *std::min_element(last_parallel_.begin(), last_parallel_.end(),
                                [](const auto& a, const auto& b) {
                                  if (rank(a.second) != rank(b.second))
                                    return rank(a.second) < rank(b.second);
                                  return a.first < b.first;
                                });
  if (best.second == stage_status::failed) return failed_outcome("All parallel branches failed");
  auto o = succeeded_outcome();
  o.context_updates["parallel.fan_in.best_id"] = best.first;
  o.context_updates["parallel.fan_in.best_outcome"] = to_string(best.second);
  return o;
}

}  // namespace fabro::model
