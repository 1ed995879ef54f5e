// The pure halves of the stage handlers (reference §3.2, §4.1): everything
// a handler decides without a process, a timer or a person. The run actor
// does the impure part (run the script, sleep, ask) and calls these to turn
// what happened into a stage_outcome. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/engine/stage_outcome.hpp"
#include "model/result.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// The outcome of a handler that needs nothing from outside: start, exit,
// conditional, manager_loop (no-ops), agent/prompt (the simulated backend:
// "[Simulated] Response for stage: <id>"), and — when `simulate` — command
// (skipped, empty output), wait (no sleep) and human (first choice).
// REQUIRES: not parallel or fan_in (the executor runs those).
stage_outcome simulated_outcome(const workflow_graph& g, const graph_node& node);

// The simulated LLM's answer for agent/prompt node `node_id` (§4.2):
// succeeded, "[Simulated] Response for stage: <id>" as response.<id>,
// last_response (first 200 characters) and last_stage.
stage_outcome simulated_llm_outcome(const std::string& node_id);

// Whether `node` needs the run actor to act in this mode: a command or wait
// stage when not simulated, a human stage when nobody auto-approves.
bool needs_actor(const graph_node& node, bool dry_run, bool auto_approve);

// The human gate's automatic answer (dry run, auto_approve): the first
// non-freeform outgoing edge in file order, else the first freeform edge
// answered "auto-approved"; a gate without edges fails.
stage_outcome auto_human_outcome(const workflow_graph& g, const graph_node& node);

// A person's answer: model/engine/human_gate.hpp.

// How a command process ended.
enum class termination { exited, timed_out, signaled, spawn_failed };
const char* to_string(termination t);  // "exited", "timed_out", "signaled", "spawn_failed"

struct command_run {
  std::string script;
  int64_t timeout_ms = 600000;
  termination how = termination::exited;
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// Exit 0 → succeeded with command.output/command.stderr; non-zero → failed
// "Script failed with exit code: N" with the stdout/stderr tails (last
// 4 KiB, when not blank), never retried; timeout → retryable "Script timed
// out after Nms: <script>"; spawn failure → retryable "Failed to spawn
// script"; a signal → failed.
stage_outcome command_outcome(const command_run& run);

// The last `max_bytes` of `text` (whole text when shorter).
std::string tail(const std::string& text, size_t max_bytes = 4096);

// Wait stage without a `duration`: a non-retryable failure.
stage_outcome missing_duration_outcome();

}  // namespace fabro::model
