#include "model/llm/llm_wire.hpp"

#include <algorithm>
#include <cctype>

#include <simdjson.h>

#include "model/json_writer.hpp"
#include "model/llm/llm_agent.hpp"

namespace fabro::model::llm {

namespace {

using simdjson::dom::element;

std::string_view str(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return v;
}

int64_t num(element e, const char* key) {
  int64_t v = 0;
  if (e[key].get(v) != simdjson::SUCCESS) return 0;
  return v;
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

int64_t thinking_budget(const std::string& effort) {
  if (effort == "low") return 1024;
  if (effort == "medium") return 4096;
  if (effort == "high") return 16384;
  return 0;
}

void openai_usage(element u, usage& out) {
  out.input_tokens = num(u, "prompt_tokens");
  out.output_tokens = num(u, "completion_tokens");
  element details;
  if (u["prompt_tokens_details"].get(details) == simdjson::SUCCESS)
    out.cache_read_tokens = num(details, "cached_tokens");
}

void anthropic_usage(element u, usage& out) {
  if (auto in = num(u, "input_tokens")) out.input_tokens = in;
  if (auto o = num(u, "output_tokens")) out.output_tokens = o;
  if (auto c = num(u, "cache_read_input_tokens")) out.cache_read_tokens = c;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::string& hay, const char* needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

const char* to_string(protocol p) { return p == protocol::anthropic ? "anthropic" : "openai"; }

http_request build_http_request(const endpoint& e, const request& r) {
  http_request out;
  json_writer w;
  w.begin_object().field("model", r.model);
  out.headers.push_back("Content-Type: application/json");
  if (e.kind == protocol::openai) {
    out.url = trim_slash(e.base_url) + "/chat/completions";
    out.headers.push_back("Authorization: Bearer " + e.api_key);
    w.key("messages").begin_array();
    for (const auto& m : r.messages)
      w.begin_object().field("role", m.role).field("content", m.content).end_object();
    w.end_array();
    if (r.reasoning_effort.empty()) {
      w.field("max_tokens", r.max_tokens);
    } else {
      w.field("max_completion_tokens", r.max_tokens).field("reasoning_effort", r.reasoning_effort);
    }
    w.key("stream").value(r.stream);
    if (r.stream) w.key("stream_options").begin_object().key("include_usage").value(true).end_object();
  } else {
    out.url = trim_slash(e.base_url) + "/v1/messages";
    out.headers.push_back("x-api-key: " + e.api_key);
    out.headers.push_back("anthropic-version: 2023-06-01");
    std::string system;
    for (const auto& m : r.messages)
      if (m.role == "system") system += (system.empty() ? "" : "\n\n") + m.content;
    auto budget = thinking_budget(r.reasoning_effort);
    w.field("max_tokens", budget > 0 ? std::max(r.max_tokens, budget + 1024) : r.max_tokens);
    if (!system.empty()) w.field("system", system);
    w.key("messages").begin_array();
    for (const auto& m : r.messages)
      if (m.role != "system")
        w.begin_object().field("role", m.role).field("content", m.content).end_object();
    w.end_array();
    if (budget > 0)
      w.key("thinking").begin_object().field("type", "enabled").field("budget_tokens", budget)
          .end_object();
    w.key("stream").value(r.stream);
  }
  w.end_object();
  out.body = w.take();
  return out;
}

result<response> parse_response(protocol p, std::string_view body) {
  auto t = parse_agent_turn(p, body);  // a whole answer is a turn (its tool calls unused)
  if (!t) return t.error();
  return response{std::move(t->text), t->tokens, std::move(t->stop_reason)};
}

std::optional<int64_t> retry_delay_ms(const failure& f, int64_t attempt, int64_t max_attempts,
                                      int64_t backoff_ms) {
  if (f.kind != failure_kind::retry || attempt >= max_attempts) return std::nullopt;
  return f.retry_after_ms >= 0 ? f.retry_after_ms : backoff_ms << (attempt - 1);
}

std::string retry_event_json(const failure& f, int64_t attempt, int64_t delay_ms) {
  json_writer w;
  w.begin_object().field("attempt", attempt).field("delay_ms", delay_ms)
      .field("error", f.message).end_object();
  return w.take();
}

std::string stream_decoder::feed(std::string_view bytes) {
  std::string added;
  pending_.append(bytes.data(), bytes.size());
  size_t start = 0;
  for (;;) {
    auto nl = pending_.find('\n', start);
    if (nl == std::string::npos) break;
    auto l = std::string_view(pending_).substr(start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    line(l, added);
    start = nl + 1;
  }
  pending_.erase(0, start);
  return added;
}

void stream_decoder::line(std::string_view l, std::string& added) {
  if (l.rfind("data:", 0) != 0) return;  // event:, id:, comments, blank separators
  l.remove_prefix(5);
  while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
  if (l == "[DONE]") {
    finished_ = true;
    return;
  }
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(l.data(), l.size()).get(doc) != simdjson::SUCCESS) return;
  if (p_ == protocol::openai) {
    element err;
    if (doc["error"].get(err) == simdjson::SUCCESS) {
      error_ = std::string(str(err, "message"));
      return;
    }
    simdjson::dom::array choices;
    if (doc["choices"].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
      element first = choices.at(0).value_unsafe(), delta;
      if (first["delta"].get(delta) == simdjson::SUCCESS) {
        auto t = str(delta, "content");
        added.append(t.data(), t.size());
        r_.text.append(t.data(), t.size());
      }
      auto reason = str(first, "finish_reason");
      if (!reason.empty()) r_.stop_reason = std::string(reason);
    }
    element u;
    if (doc["usage"].get(u) == simdjson::SUCCESS && !u.is_null()) openai_usage(u, r_.tokens);
    return;
  }
  auto type = str(doc, "type");
  element part;
  if (type == "message_start" && doc["message"].get(part) == simdjson::SUCCESS) {
    element u;
    if (part["usage"].get(u) == simdjson::SUCCESS) anthropic_usage(u, r_.tokens);
  } else if (type == "content_block_delta" && doc["delta"].get(part) == simdjson::SUCCESS) {
    if (str(part, "type") == "text_delta") {
      auto t = str(part, "text");
      added.append(t.data(), t.size());
      r_.text.append(t.data(), t.size());
    }
  } else if (type == "message_delta") {
    if (doc["delta"].get(part) == simdjson::SUCCESS) {
      auto reason = str(part, "stop_reason");
      if (!reason.empty()) r_.stop_reason = std::string(reason);
    }
    element u;
    if (doc["usage"].get(u) == simdjson::SUCCESS) anthropic_usage(u, r_.tokens);
  } else if (type == "message_stop") {
    finished_ = true;
  } else if (type == "error" && doc["error"].get(part) == simdjson::SUCCESS) {
    error_ = std::string(str(part, "message"));
  }
}

failure classify_failure(const endpoint& e, long status, std::string_view body,
                         std::string_view retry_after) {
  std::string detail, type;
  simdjson::dom::parser parser;
  element doc, err;
  if (parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS &&
      doc["error"].get(err) == simdjson::SUCCESS) {
    if (err.is_string()) {
      detail = std::string(err.get_string().value_unsafe());
    } else {
      detail = std::string(str(err, "message"));
      type = std::string(str(err, "type"));
      if (type.empty()) type = std::string(str(err, "code"));
    }
  }
  auto who = std::string("The ") + to_string(e.kind) + " provider";
  auto said = detail.empty() ? std::string() : ": " + detail;
  failure f;
  auto text = lower(detail + " " + type);
  if (status == 401 || status == 403) {
    f.kind = failure_kind::auth;
    f.message = who + " refused the key from " + e.key_source + " (HTTP " +
                std::to_string(status) + ")" + said;
  } else if (contains(text, "context_length") || contains(text, "context length") ||
             contains(text, "context window") || contains(text, "prompt is too long") ||
             contains(text, "maximum context")) {
    f.kind = failure_kind::budget;
    f.message = who + " refused the request: context length exceeded (HTTP " +
                std::to_string(status) + ")" + said;
  } else if (contains(text, "insufficient_quota") || contains(text, "quota") ||
             contains(text, "credit balance")) {
    f.kind = failure_kind::budget;
    f.message = who + " refused the request: quota exceeded (HTTP " + std::to_string(status) +
                ")" + said;
  } else if (status == 429 || status == 408 || status == 529 || status >= 500) {
    f.kind = failure_kind::retry;
    f.message = who + (status == 429 ? " is rate limiting (HTTP 429)"
                                     : " is unavailable (HTTP " + std::to_string(status) + ")") +
                said;
  } else {
    f.kind = failure_kind::fatal;
    f.message = who + " refused the request (HTTP " + std::to_string(status) + ")" + said;
  }
  if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      }) && retry_after.size() < 7)
    f.retry_after_ms = std::stoll(std::string(retry_after)) * 1000;
  // Never echo the key, should a provider quote it back.
  if (!e.api_key.empty())
    for (size_t at; (at = f.message.find(e.api_key)) != std::string::npos;)
      f.message.replace(at, e.api_key.size(), "***");
  return f;
}

failure transport_failure(const endpoint& e, std::string_view what) {
  failure f;
  f.kind = failure_kind::retry;
  f.message = std::string("The ") + to_string(e.kind) + " provider did not answer: " +
              std::string(what);
  return f;
}

}  // namespace fabro::model::llm
