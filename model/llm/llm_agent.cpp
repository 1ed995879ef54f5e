#include "model/llm/llm_agent.hpp"

#include <simdjson.h>

#include "model/json_writer.hpp"

namespace fabro::model::llm {

namespace {

using simdjson::dom::element;

struct tool_spec {
  const char* name;
  const char* description;
  const char* schema;  // JSON Schema of the arguments
};

const tool_spec kTools[] = {
    {"shell", "Run a bash command in the working directory; returns its exit code and output.",
     R"({"type":"object","properties":{"command":{"type":"string"}},"required":["command"]})"},
    {"read_file", "Read a text file (a path relative to the working directory).",
     R"({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]})"},
    {"write_file", "Write a text file (a path relative to the working directory), creating directories.",
     R"({"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},"required":["path","content"]})"},
    {"list_dir", "List a directory (a path relative to the working directory; '.' for the root).",
     R"({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]})"},
};

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string str(element e, const char* key) {
  std::string_view v;
  return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

int64_t num(element e, const char* key) {
  int64_t v = 0;
  return e[key].get(v) == simdjson::SUCCESS ? v : 0;
}

}  // namespace

std::string user_message(std::string_view text) {
  json_writer w;
  w.begin_object().field("role", "user").field("content", text).end_object();
  return w.take();
}

http_request build_agent_request(const endpoint& e, const std::string& model,
                                 int64_t max_tokens, const std::string& system,
                                 const std::vector<std::string>& conversation) {
  http_request out;
  out.headers.push_back("Content-Type: application/json");
  json_writer w;
  w.begin_object().field("model", model).field("max_tokens", max_tokens);
  if (e.kind == protocol::openai) {
    out.url = trim_slash(e.base_url) + "/chat/completions";
    out.headers.push_back("Authorization: Bearer " + e.api_key);
    w.key("messages").begin_array();
    if (!system.empty())
      w.begin_object().field("role", "system").field("content", system).end_object();
    for (const auto& m : conversation) w.raw(m);
    w.end_array().key("tools").begin_array();
    for (const auto& t : kTools)
      w.begin_object().field("type", "function").key("function").begin_object()
          .field("name", t.name).field("description", t.description).key("parameters")
          .raw(t.schema).end_object().end_object();
    w.end_array();
  } else {
    out.url = trim_slash(e.base_url) + "/v1/messages";
    out.headers.push_back("x-api-key: " + e.api_key);
    out.headers.push_back("anthropic-version: 2023-06-01");
    if (!system.empty()) w.field("system", system);
    w.key("messages").begin_array();
    for (const auto& m : conversation) w.raw(m);
    w.end_array().key("tools").begin_array();
    for (const auto& t : kTools)
      w.begin_object().field("name", t.name).field("description", t.description)
          .key("input_schema").raw(t.schema).end_object();
    w.end_array();
  }
  w.key("stream").value(false).end_object();
  out.body = w.take();
  return out;
}

result<agent_turn> parse_agent_turn(protocol p, std::string_view body) {
  simdjson::dom::parser parser;
  element doc;
  auto bad = [&](const char* what) {
    return make_problem(errc::internal, std::string("The ") + to_string(p) +
                                            " provider's answer has no " + what);
  };
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS)
    return bad("JSON body");
  agent_turn t;
  element u;
  if (p == protocol::openai) {
    simdjson::dom::array choices;
    element first, msg;
    if (doc["choices"].get(choices) != simdjson::SUCCESS || choices.size() == 0 ||
        choices.at(0).get(first) != simdjson::SUCCESS ||
        first["message"].get(msg) != simdjson::SUCCESS)
      return bad("choices[0].message");
    t.text = str(msg, "content");
    t.stop_reason = str(first, "finish_reason");
    simdjson::dom::array calls;
    if (msg["tool_calls"].get(calls) == simdjson::SUCCESS)
      for (element c : calls) {
        element f;
        if (c["function"].get(f) != simdjson::SUCCESS) continue;
        auto args = str(f, "arguments");
        t.calls.push_back({str(c, "id"), str(f, "name"), args.empty() ? "{}" : args});
      }
    t.assistant_message = simdjson::minify(msg);
    if (doc["usage"].get(u) == simdjson::SUCCESS) {
      t.tokens.input_tokens = num(u, "prompt_tokens");
      t.tokens.output_tokens = num(u, "completion_tokens");
      element details;
      if (u["prompt_tokens_details"].get(details) == simdjson::SUCCESS)
        t.tokens.cache_read_tokens = num(details, "cached_tokens");
    }
  } else {
    simdjson::dom::array content;
    if (doc["content"].get(content) != simdjson::SUCCESS) return bad("content");
    for (element block : content) {
      auto type = str(block, "type");
      if (type == "text") t.text += str(block, "text");
      element input;
      if (type == "tool_use" && block["input"].get(input) == simdjson::SUCCESS)
        t.calls.push_back({str(block, "id"), str(block, "name"), simdjson::minify(input)});
    }
    t.stop_reason = str(doc, "stop_reason");
    t.assistant_message = "{\"role\":\"assistant\",\"content\":" + simdjson::minify(content) + "}";
    if (doc["usage"].get(u) == simdjson::SUCCESS) {
      t.tokens.input_tokens = num(u, "input_tokens");
      t.tokens.output_tokens = num(u, "output_tokens");
      t.tokens.cache_read_tokens = num(u, "cache_read_input_tokens");
    }
  }
  return t;
}

std::vector<std::string> tool_result_messages(protocol p, const std::vector<tool_result>& results) {
  std::vector<std::string> out;
  if (p == protocol::openai) {
    for (const auto& r : results) {
      json_writer w;
      w.begin_object().field("role", "tool").field("tool_call_id", r.call_id)
          .field("content", r.output).end_object();
      out.push_back(w.take());
    }
    return out;
  }
  json_writer w;
  w.begin_object().field("role", "user").key("content").begin_array();
  for (const auto& r : results)
    w.begin_object().field("type", "tool_result").field("tool_use_id", r.call_id)
        .field("content", r.output).key("is_error").value(r.is_error).end_object();
  w.end_array().end_object();
  out.push_back(w.take());
  return out;
}

std::string string_argument(const tool_call& c, const char* key) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(c.arguments_json).get(doc) != simdjson::SUCCESS) return "";
  return str(doc, key);
}

}  // namespace fabro::model::llm
