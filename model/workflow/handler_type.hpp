// Public: model layer (installed for embedders under include/fabro/).
// Which handler executes a workflow node (reference §1.5).
//
// A node's handler is its explicit `type` attribute when that names a
// registered type; otherwise it follows from the node's shape; otherwise it is
// `agent`. A node without a shape has shape `box`, i.e. agent. Legacy type
// aliases (`agent_loop`, `one_shot`, `tool`) resolve to their modern handler.
// Pure functions over strings; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace fabro::model {

enum class handler_type {
  start,         // Mdiamond: no-op, succeeds
  exit,          // Msquare: terminal, never executed as a stage
  agent,         // box (default): multi-turn LLM with tools
  prompt,        // tab: one LLM call
  command,       // parallelogram: runs `script` with /bin/bash -c
  human,         // hexagon: question whose options are the outgoing labels
  conditional,   // diamond: no-op, routing happens in edge selection
  parallel,      // component: fan-out over the outgoing edges' targets
  fan_in,        // tripleoctagon: picks the best branch result
  wait,          // insulator: sleeps for `duration`
  manager_loop,  // house: runs a child workflow (stack.child_workflow)
};

// Canonical type string: "start", "exit", "agent", "prompt", "command",
// "human", "conditional", "parallel", "parallel.fan_in", "wait",
// "stack.manager_loop".
const char* to_string(handler_type t);

// The handler registered under a `type` string, aliases included
// (agent_loop → agent, one_shot → prompt, tool → command); nothing for an
// unknown string.
std::optional<handler_type> handler_type_from_type(std::string_view type);

// The handler a shape maps to; nothing for shapes outside the table of §1.5
// (those nodes run as agent).
std::optional<handler_type> handler_type_from_shape(std::string_view shape);

// Whether `type` is one of Fabro's KNOWN_HANDLER_TYPES (rule type_known).
bool is_known_handler_type(std::string_view type);

// Full resolution: explicit registered type, else shape, else agent.
// `type` may be empty (absent); `shape` empty means the default `box`.
handler_type resolve_handler_type(std::string_view type,
                                  std::string_view shape);

// Agent and prompt nodes talk to an LLM (rules prompt_on_llm_nodes, ...).
inline bool is_llm_handler(handler_type t) {
  return t == handler_type::agent || t == handler_type::prompt;
}

}  // namespace fabro::model
