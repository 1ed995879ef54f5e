#include "tests/support/sse_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "tests/support/http_client.hpp"

namespace fabro::testing {

sse_client::sse_client(uint16_t port, const std::string& path, const std::string& extra_headers) {
  fd_ = connect_loopback(port);
  if (fd_ < 0) return;
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + default_auth_header() +
                    extra_headers + "\r\n";
  if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (buf_.find("\r\n\r\n") == std::string::npos)
    if (!read_some(deadline)) return;
  auto end = buf_.find("\r\n\r\n");
  head_ = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  status_ = std::atoi(head_.c_str() + head_.find(' ') + 1);
  parse();
}

sse_client::~sse_client() {
  if (fd_ >= 0) ::close(fd_);
}

std::string sse_client::header(const std::string& lower_name) const {
  std::string lower = head_;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto pos = lower.find("\r\n" + lower_name + ":");
  if (pos == std::string::npos) return "";
  pos += lower_name.size() + 3;
  auto end = head_.find("\r\n", pos);
  auto v = head_.substr(pos, end - pos);
  v.erase(0, v.find_first_not_of(' '));
  return v;
}

bool sse_client::read_some(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || closed_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  buf_.append(chunk, static_cast<size_t>(n));
  return true;
}

void sse_client::parse() {
  size_t end;
  while ((end = buf_.find("\n\n")) != std::string::npos) {
    std::string block = buf_.substr(0, end);
    buf_.erase(0, end + 2);
    sse_frame f;
    bool has_data = false;
    size_t start = 0;
    while (start <= block.size()) {
      auto nl = block.find('\n', start);
      auto line = block.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (line.rfind("id: ", 0) == 0) f.id = std::stoull(line.substr(4));
      else if (line.rfind("data: ", 0) == 0) {
        f.data = line.substr(6);
        has_data = true;
      } else if (!line.empty() && line[0] == ':') {
        ++comments_;
      }
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    if (has_data) frames_.push_back(std::move(f));
  }
}

const std::vector<sse_frame>& sse_client::wait_for(size_t count,
                                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (frames_.size() < count && read_some(deadline)) parse();
  parse();
  return frames_;
}

bool sse_client::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && read_some(deadline)) parse();
  parse();
  return closed_;
}

}  // namespace fabro::testing
