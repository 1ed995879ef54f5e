// The wire side of an agent stage's tool-use loop (issue 17 item 4): the
// tools offered (shell, read_file, write_file, list_dir), a turn's request
// with the conversation so far, the model's turn (text and tool calls) and
// the messages that carry tool results back, for both protocols. Pure.
//
// A conversation is a list of JSON message objects in the protocol's own
// shape, so an assistant turn is sent back exactly as it came.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/llm/llm_wire.hpp"
#include "model/result.hpp"

namespace fabro::model::llm {

struct tool_call {
  std::string id;
  std::string name;
  std::string arguments_json;  // a JSON object
};

struct agent_turn {
  std::string text;                 // the turn's text, in order
  std::vector<tool_call> calls;     // none: the agent is done
  usage tokens;
  std::string stop_reason;          // "stop"/"tool_calls" (OpenAI), "end_turn"/"tool_use" (Anthropic)
  std::string assistant_message;    // the turn as a conversation message
};

struct tool_result {
  std::string call_id;
  std::string output;
  bool is_error = false;
};

// The first message: the user's prompt.
std::string user_message(std::string_view text);

// A non-streamed turn request: `system`, the conversation and the tools.
http_request build_agent_request(const endpoint& e, const std::string& model,
                                 int64_t max_tokens, const std::string& system,
                                 const std::vector<std::string>& conversation);

// The model's turn from a whole 200 body; errc::internal when it is not one.
result<agent_turn> parse_agent_turn(protocol p, std::string_view body);

// The messages that answer a turn's tool calls (OpenAI: one `tool` message
// per call; Anthropic: one user message of tool_result blocks).
std::vector<std::string> tool_result_messages(protocol p, const std::vector<tool_result>& results);

// A tool call's string argument `key` ("" when absent or not a string).
std::string string_argument(const tool_call& c, const char* key);

}  // namespace fabro::model::llm
