#include "tests/support/http_client.hpp"

#include "tests/support/api_contract.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace fabro::testing {
namespace {

bool has_authorization(const std::string& header_lines) {
  std::string lower = "\n" + header_lines;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("\nauthorization:") != std::string::npos;
}

}  // namespace

std::string default_auth_header() {
  return std::string("Authorization: Bearer ") + kTestDevToken + "\r\n";
}

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

http_connection::http_connection(uint16_t port) : fd_(connect_loopback(port)) {}

http_connection::~http_connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool http_connection::closed_by_peer() {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return false;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK) == 0;
}

http_response http_connection::send(const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& extra_headers) {
  http_response res;
  if (fd_ < 0) return res;
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    (has_authorization(extra_headers) ? "" : auth_) + extra_headers;
  if (!body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  for (size_t off = 0; off < req.size();) {
    ssize_t n = ::send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return res;
    off += static_cast<size_t>(n);
  }
  auto fill = [&]() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return res;
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  res.status = std::atoi(head.substr(head.find(' ') + 1, 3).c_str());
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      res.headers[name] = value;
    }
    pos = next;
  }
  if (res.headers.count("content-length")) {
    size_t len = std::stoul(res.headers["content-length"]);
    while (buffer_.size() < len)
      if (!fill()) break;
    res.body = buffer_.substr(0, len);
    buffer_.erase(0, std::min(len, buffer_.size()));
  } else if (res.header("transfer-encoding") == "chunked") {
    for (;;) {
      size_t crlf;
      while ((crlf = buffer_.find("\r\n")) == std::string::npos)
        if (!fill()) return res;
      size_t size = std::stoul(buffer_.substr(0, crlf), nullptr, 16);
      while (buffer_.size() < crlf + 2 + size + 2)
        if (!fill()) return res;
      res.body += buffer_.substr(crlf + 2, size);
      buffer_.erase(0, crlf + 2 + size + 2);
      if (size == 0) break;
    }
  }
  record_contract(method, path, res.status, res.header("content-type"), res.body);
  return res;
}

http_response http_request(uint16_t port, const std::string& method, const std::string& path,
                           const std::string& body, const std::string& extra_headers) {
  http_connection c(port);
  return c.send(method, path, body, extra_headers);
}

http_response http_request_auth(uint16_t port, const std::string& auth_header_lines,
                                const std::string& method, const std::string& path,
                                const std::string& body, const std::string& extra_headers) {
  http_connection c(port);
  c.set_auth(auth_header_lines);
  return c.send(method, path, body, extra_headers);
}

std::vector<std::string> data_items(const std::string& body) {
  std::vector<std::string> out;
  auto first = body.find_first_not_of(" \t\r\n");
  size_t at;
  if (first != std::string::npos && body[first] == '[')
    at = first + 1;
  else if ((at = body.find("\"data\":[")) != std::string::npos)
    at += 8;
  else
    return out;
  int depth = 0;
  bool in_string = false;
  size_t begin = 0;
  for (size_t i = at; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      if (depth++ == 0) begin = i;
    } else if (c == '}') {
      if (--depth == 0) out.push_back(body.substr(begin, i + 1 - begin));
    } else if (c == ']' && depth == 0) {
      break;
    }
  }
  return out;
}

std::string json_string_field(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\":\"";
  auto pos = json.find(needle);
  if (pos == std::string::npos) return "";
  pos += needle.size();
  std::string out;
  for (; pos < json.size() && json[pos] != '"'; ++pos) {
    if (json[pos] == '\\' && pos + 1 < json.size()) ++pos;
    out.push_back(json[pos]);
  }
  return out;
}

uint64_t json_uint_field(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::strtoull(json.c_str() + at + key.size() + 3, nullptr, 10);
}

}  // namespace fabro::testing
