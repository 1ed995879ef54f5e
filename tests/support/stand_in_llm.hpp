// A stand-in model provider for tests (issue 17): an HTTP/1.1 server on a
// free loopback port that answers each POST with the next scripted reply
// (recorded OpenAI / Anthropic answers: whole, streamed, errors) and
// records what it received. Started by the test, stopped by its destructor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fabro::testing {

struct stand_in_reply {
  int status = 200;
  std::vector<std::string> headers;  // extra "Name: value" lines
  // The body, written piece by piece (a streamed answer: SSE lines).
  std::vector<std::string> pieces;
  // After the pieces, keep the connection open until the client goes away
  // (a stream that never ends: the cancel test).
  bool hold = false;
};

struct received_request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class stand_in_llm {
 public:
  stand_in_llm();
  ~stand_in_llm();
  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Replies to the next requests, in order (a request with none gets 500).
  void script(std::vector<stand_in_reply> replies);
  std::vector<received_request> received();
  // Whether a held connection was closed by the client.
  bool client_went_away();

  // Recorded answers.
  static stand_in_reply openai_stream(const std::vector<std::string>& deltas,
                                      int64_t input_tokens, int64_t output_tokens);
  static stand_in_reply anthropic_stream(const std::vector<std::string>& deltas,
                                         int64_t input_tokens, int64_t output_tokens);
  static stand_in_reply error(int status, const std::string& json_body,
                              std::vector<std::string> headers = {});
  // A whole OpenAI answer whose message is `message_json`.
  static stand_in_reply openai_message(const std::string& message_json, int64_t input_tokens,
                                       int64_t output_tokens);
  // An OpenAI tool call object (arguments: a JSON object's text).
  static std::string openai_tool_call(const std::string& id, const std::string& name,
                                      const std::string& arguments);
  // A whole Anthropic answer with these content blocks (a JSON array's text).
  static stand_in_reply anthropic_message(const std::string& content_json, int64_t input_tokens,
                                          int64_t output_tokens);

 private:
  void serve();
  void handle(int fd);
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex m_;
  std::deque<stand_in_reply> script_;
  std::vector<received_request> received_;
  bool went_away_ = false;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace fabro::testing
