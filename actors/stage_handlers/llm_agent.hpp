// The built-in handler of agent stages when a model provider is configured
// (issue 17 item 4; the seam is actors/stage_handler.hpp): a bounded
// tool-use loop. Each turn sends the conversation with the tools (shell,
// read_file, write_file, list_dir) to the stage's provider and model
// (resolved by the run as for prompt stages); the model's tool calls are
// carried out in order and their results sent back, until it answers
// without a tool call (the outcome then is model::llm::prompt_outcome's, as
// a prompt stage's) or `max_turns` (default 20) turns have passed (the stage
// fails: "Agent turn limit reached", class budget_exhausted).
//
// Tools act in the run's working directory only (agent_tools.hpp); `shell`
// runs through the command handler (`command`: own process group, the
// stage's environment and sandbox, the node's timeout, output bounded),
// which also takes pause (SIGSTOP) and cancel.
//
// Events (Fabro's names): agent.session.started, agent.message per turn
// (text, model, tool_call_count), agent.tool.started / agent.tool.completed
// per call (output, is_error), prompt.completed at the end, and
// stage.llm_retry. Usage is summed over the turns. Failures, retries,
// cancel and pause as for prompt stages (llm_prompt.hpp); pause also holds
// the next turn.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/outbound_http.hpp"
#include "actors/stage_handler.hpp"
#include "actors/stage_handlers/llm_prompt.hpp"

namespace fabro::actors {

stage_handler_actor spawn_llm_agent_handler(caf::actor_system& sys, llm_handler_config cfg,
                                            std::shared_ptr<outbound_http> http,
                                            stage_handler_actor command);

}  // namespace fabro::actors
