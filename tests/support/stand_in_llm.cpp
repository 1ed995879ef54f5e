#include "tests/support/stand_in_llm.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "model/json_writer.hpp"

namespace fabro::testing {

namespace {

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    auto n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string json_text(const std::string& s) {
  std::string out;
  model::append_json_string(out, s);
  return out;
}

}  // namespace

stand_in_llm::stand_in_llm() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

stand_in_llm::~stand_in_llm() {
  {
    std::lock_guard<std::mutex> g(m_);
    stopping_ = true;
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  thread_.join();
  for (auto& w : workers_) w.join();
}

void stand_in_llm::script(std::vector<stand_in_reply> replies) {
  std::lock_guard<std::mutex> g(m_);
  for (auto& r : replies) script_.push_back(std::move(r));
}

std::vector<received_request> stand_in_llm::received() {
  std::lock_guard<std::mutex> g(m_);
  return received_;
}

bool stand_in_llm::client_went_away() {
  std::lock_guard<std::mutex> g(m_);
  return went_away_;
}

void stand_in_llm::serve() {
  for (;;) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard<std::mutex> g(m_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    workers_.emplace_back([this, fd] { handle(fd); });
  }
}

void stand_in_llm::handle(int fd) {
  std::string in;
  char buf[4096];
  size_t head_end;
  while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return (void)::close(fd);
    in.append(buf, static_cast<size_t>(n));
  }
  received_request req;
  auto first = in.substr(0, in.find("\r\n"));
  req.method = first.substr(0, first.find(' '));
  req.path = first.substr(first.find(' ') + 1);
  req.path = req.path.substr(0, req.path.find(' '));
  size_t pos = in.find("\r\n") + 2;
  while (pos < head_end) {
    auto eol = in.find("\r\n", pos);
    auto line = in.substr(pos, eol - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      req.headers[lower(line.substr(0, colon))] = v;
    }
    pos = eol + 2;
  }
  size_t length = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
  req.body = in.substr(head_end + 4);
  while (req.body.size() < length) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    req.body.append(buf, static_cast<size_t>(n));
  }
  stand_in_reply reply;
  {
    std::lock_guard<std::mutex> g(m_);
    received_.push_back(req);
    if (script_.empty()) {
      reply = error(500, R"({"error":{"message":"no scripted reply","type":"server_error"}})");
    } else {
      reply = std::move(script_.front());
      script_.pop_front();
    }
  }
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nConnection: close\r\n";
  for (const auto& h : reply.headers) head += h + "\r\n";
  head += "\r\n";
  bool ok = write_all(fd, head);
  for (const auto& p : reply.pieces) ok = ok && write_all(fd, p);
  if (reply.hold && ok) {
    // Until the client closes its end (or the stand-in stops).
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0 && ::recv(fd, buf, sizeof buf, 0) <= 0) {
        std::lock_guard<std::mutex> g(m_);
        went_away_ = true;
        break;
      }
      std::lock_guard<std::mutex> g(m_);
      if (stopping_) break;
    }
  }
  ::close(fd);
}

stand_in_reply stand_in_llm::openai_stream(const std::vector<std::string>& deltas,
                                           int64_t input_tokens, int64_t output_tokens) {
  stand_in_reply r;
  r.headers = {"Content-Type: text/event-stream"};
  for (const auto& d : deltas)
    r.pieces.push_back(R"(data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":)" +
                       json_text(d) + R"(},"finish_reason":null}]})" + "\n\n");
  r.pieces.push_back(R"(data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
                     "\n\n");
  r.pieces.push_back(R"(data: {"id":"c1","choices":[],"usage":{"prompt_tokens":)" +
                     std::to_string(input_tokens) + R"(,"completion_tokens":)" +
                     std::to_string(output_tokens) +
                     R"(,"prompt_tokens_details":{"cached_tokens":0}}})" + "\n\ndata: [DONE]\n\n");
  return r;
}

stand_in_reply stand_in_llm::anthropic_stream(const std::vector<std::string>& deltas,
                                              int64_t input_tokens, int64_t output_tokens) {
  stand_in_reply r;
  r.headers = {"Content-Type: text/event-stream"};
  r.pieces.push_back("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\","
                     "\"usage\":{\"input_tokens\":" + std::to_string(input_tokens) +
                     ",\"output_tokens\":1}}}\n\n");
  r.pieces.push_back("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                     "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
  for (const auto& d : deltas)
    r.pieces.push_back("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                       "\"delta\":{\"type\":\"text_delta\",\"text\":" + json_text(d) + "}}\n\n");
  r.pieces.push_back("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
                     "{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":" +
                     std::to_string(output_tokens) + "}}\n\n");
  r.pieces.push_back("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  return r;
}

stand_in_reply stand_in_llm::error(int status, const std::string& json_body,
                                   std::vector<std::string> headers) {
  stand_in_reply r;
  r.status = status;
  r.headers = std::move(headers);
  r.headers.push_back("Content-Type: application/json");
  r.headers.push_back("Content-Length: " + std::to_string(json_body.size()));
  r.pieces = {json_body};
  return r;
}

stand_in_reply stand_in_llm::openai_message(const std::string& message_json, int64_t input_tokens,
                                            int64_t output_tokens) {
  return error(200, R"({"id":"t","choices":[{"index":0,"message":)" + message_json +
                        R"(,"finish_reason":"stop"}],"usage":{"prompt_tokens":)" +
                        std::to_string(input_tokens) + R"(,"completion_tokens":)" +
                        std::to_string(output_tokens) + "}}");
}

std::string stand_in_llm::openai_tool_call(const std::string& id, const std::string& name,
                                           const std::string& arguments) {
  return R"({"id":")" + id + R"(","type":"function","function":{"name":")" + name +
         R"(","arguments":)" + json_text(arguments) + "}}";
}

stand_in_reply stand_in_llm::anthropic_message(const std::string& content_json,
                                               int64_t input_tokens, int64_t output_tokens) {
  return error(200, R"({"id":"m","type":"message","role":"assistant","content":)" + content_json +
                        R"(,"stop_reason":"end_turn","usage":{"input_tokens":)" +
                        std::to_string(input_tokens) + R"(,"output_tokens":)" +
                        std::to_string(output_tokens) + "}}");
}

}  // namespace fabro::testing
