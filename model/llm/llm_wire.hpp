// Public: model layer (installed for embedders under include/fabro/).
// The two LLM wire protocols a prompt stage speaks (issue 17): OpenAI-
// compatible Chat Completions (`POST <base>/chat/completions`; the same
// protocol serves vLLM, llama.cpp's server and Ollama) and Anthropic
// Messages (`POST <base>/v1/messages`). What to send, how to read a whole
// or streamed (SSE) answer, and how a refusal is classified. Pure: no I/O.
//
// The API key goes into the request headers and nowhere else: no message,
// failure text or event produced here contains it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace fabro::model::llm {

enum class protocol { openai, anthropic };

// "openai" / "anthropic".
const char* to_string(protocol p);

// A provider as configured: protocol, base URL ("https://api.openai.com/v1",
// "https://api.anthropic.com"), key and the name of where it came from
// (an environment variable or file, named in auth failures).
struct endpoint {
  protocol kind = protocol::openai;
  std::string base_url;
  std::string api_key;
  std::string key_source;  // "OPENAI_API_KEY", ...
};

// The server's choice of provider and model, the last of Fabro's layers
// (model/llm/llm_stage.hpp choose_llm).
struct llm_defaults {
  std::string provider;  // "openai" / "anthropic"; "" = inferred, or the first configured
  std::string model;     // "" = the provider's default
};

struct message {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct request {
  std::string model;
  std::vector<message> messages;
  int64_t max_tokens = 4096;
  std::string reasoning_effort;  // "" = the provider's default; "low"/"medium"/"high"
  bool stream = true;
};

// An HTTP request ready to send: POST `url` with `headers` ("Name: value")
// and the JSON `body`.
struct http_request {
  std::string url;
  std::vector<std::string> headers;
  std::string body;
};

// OpenAI: messages as given, max_tokens (max_completion_tokens when
// reasoning_effort is set, with reasoning_effort), stream with
// stream_options.include_usage; `Authorization: Bearer`. Anthropic: the
// system messages joined into `system`, max_tokens, thinking budget from
// reasoning_effort (low 1024, medium 4096, high 16384 tokens, max_tokens
// raised above it); `x-api-key`, `anthropic-version: 2023-06-01`.
http_request build_http_request(const endpoint& e, const request& r);

struct usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
};

struct response {
  std::string text;         // the answer's text, in order
  usage tokens;
  std::string stop_reason;  // "stop"/"length" (OpenAI), "end_turn"/"max_tokens" (Anthropic)
};

// A whole (non-streamed) 200 body. Fails with errc::internal naming what is
// missing when the body is not the protocol's answer.
result<response> parse_response(protocol p, std::string_view body);

// Reads a streamed (text/event-stream) 200 body as its bytes arrive, in
// chunks cut anywhere. OpenAI: `data: {chunk}` lines with
// choices[0].delta.content, usage in the last chunk, `data: [DONE]`.
// Anthropic: message_start (input usage), content_block_delta text_delta,
// message_delta (stop_reason, output usage), message_stop, error.
class stream_decoder {
 public:
  explicit stream_decoder(protocol p) : p_(p) {}
  // Feeds bytes; returns the text they add (may be empty).
  std::string feed(std::string_view bytes);
  const response& so_far() const { return r_; }
  bool finished() const { return finished_; }     // the stream's end marker was seen
  const std::string& error() const { return error_; }  // an error event's message; "" = none

 private:
  void line(std::string_view l, std::string& added);
  protocol p_;
  std::string pending_;  // an incomplete line
  response r_;
  bool finished_ = false;
  std::string error_;
};

// What a failed call means for the stage (engine reference §3.4 classes by
// message: these messages carry the words that class them).
enum class failure_kind {
  retry,   // 429, 5xx, 408, a dropped connection or timeout: again after a backoff
  budget,  // context length or quota: fails, class budget_exhausted, not retried
  auth,    // 401/403: fails, not retried, names the refused key's source
  fatal,   // any other 4xx or a malformed answer: fails, not retried
};

struct failure {
  failure_kind kind = failure_kind::fatal;
  std::string message;
  int64_t retry_after_ms = -1;  // from Retry-After (seconds or HTTP date unsupported: -1)
};

// A non-200 answer: HTTP `status`, its body (the provider's error JSON, read
// for its message and type) and its Retry-After header ("" = none).
failure classify_failure(const endpoint& e, long status, std::string_view body,
                         std::string_view retry_after);

// A transport failure (no answer): connection refused, reset, timed out.
failure transport_failure(const endpoint& e, std::string_view what);

// How long to wait before attempt `attempt` + 1 after `f`: Retry-After when
// the provider sent one, else `backoff_ms` doubled per attempt; nothing
// when `f` is not retried or `max_attempts` are spent.
std::optional<int64_t> retry_delay_ms(const failure& f, int64_t attempt, int64_t max_attempts,
                                      int64_t backoff_ms);

// The stage.llm_retry event's properties: {"attempt","delay_ms","error"}.
std::string retry_event_json(const failure& f, int64_t attempt, int64_t delay_ms);

}  // namespace fabro::model::llm
