#include "model/engine/handlers.hpp"

#include "model/engine/human_gate.hpp"

namespace fabro::model {
namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

stage_outcome choose_edge(const graph_edge& e, std::string text) {
  auto label = e.label().value_or(e.to);
  auto o = succeeded_outcome();
  o.preferred_label = label;
  o.suggested_next_ids = {e.to};
  o.context_updates["human.gate.selected"] = e.freeform() ? "freeform" : accelerator_key(label);
  o.context_updates["human.gate.label"] = label;
  if (e.freeform()) o.context_updates["human.gate.text"] = std::move(text);
  return o;
}

}  // namespace

const char* to_string(termination t) {
  switch (t) {
    case termination::exited: return "exited";
    case termination::timed_out: return "timed_out";
    case termination::signaled: return "signaled";
    case termination::spawn_failed: return "spawn_failed";
  }
  return "exited";
}

bool needs_actor(const graph_node& node, bool dry_run, bool auto_approve) {
  switch (node.handler()) {
    case handler_type::command:
    case handler_type::wait: return !dry_run;
    case handler_type::human: return !dry_run && !auto_approve;
    default: return false;
  }
}

stage_outcome simulated_llm_outcome(const std::string& node_id) {
  auto o = succeeded_outcome("[Simulated] " + node_id);
  auto text = "[Simulated] Response for stage: " + node_id;
  o.context_updates["last_stage"] = node_id;
  o.context_updates["last_response"] = text.substr(0, 200);
  o.context_updates["response." + node_id] = text;
  return o;
}

stage_outcome simulated_outcome(const workflow_graph& g, const graph_node& node) {
  switch (node.handler()) {
    case handler_type::agent:
    case handler_type::prompt: return simulated_llm_outcome(node.id);
    case handler_type::command: {
      auto o = succeeded_outcome("[Simulated] Command skipped: " + node.script().value_or(""));
      o.context_updates["command.output"] = "";
      o.context_updates["command.stderr"] = "";
      return o;
    }
    case handler_type::human: return auto_human_outcome(g, node);
    case handler_type::wait:
      if (!node.duration_ms()) return missing_duration_outcome();
      return succeeded_outcome("[Simulated] " + node.id);
    default: return succeeded_outcome("[Simulated] " + node.id);
  }
}

stage_outcome auto_human_outcome(const workflow_graph& g, const graph_node& node) {
  const auto& edges = g.edges();
  auto out = g.outgoing(node.id);
  for (auto i : out)
    if (!edges[i].freeform()) return choose_edge(edges[i], "");
  if (!out.empty()) return choose_edge(edges[out.front()], "auto-approved");
  return failed_outcome("Human gate " + node.id + " has no outgoing edges");
}

std::string tail(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : text.substr(text.size() - max_bytes);
}

stage_outcome command_outcome(const command_run& run) {
  switch (run.how) {
    case termination::timed_out:
      return failed_outcome("Script timed out after " + std::to_string(run.timeout_ms) +
                                "ms: " + run.script,
                            retry_kind::error);
    case termination::spawn_failed:
      return failed_outcome("Failed to spawn script", retry_kind::error);
    default: break;
  }
  if (run.how == termination::exited && run.exit_code == 0) {
    auto o = succeeded_outcome();
    o.context_updates["command.output"] = run.stdout_text;
    o.context_updates["command.stderr"] = run.stderr_text;
    return o;
  }
  std::string msg = run.how == termination::signaled
                        ? "Script terminated by signal " + std::to_string(run.exit_code)
                        : "Script failed with exit code: " + std::to_string(run.exit_code);
  if (!blank(run.stdout_text)) msg += "\n\n## stdout\n" + tail(run.stdout_text);
  if (!blank(run.stderr_text)) msg += "\n\n## stderr\n" + tail(run.stderr_text);
  auto o = failed_outcome(std::move(msg));
  o.context_updates["command.output"] = run.stdout_text;
  o.context_updates["command.stderr"] = run.stderr_text;
  return o;
}

stage_outcome missing_duration_outcome() {
  return failed_outcome("Wait stage requires a duration");
}

}  // namespace fabro::model
