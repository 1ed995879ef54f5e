// Reads a Server-Sent Events stream for end-to-end tests: connects, sends
// the GET (with the test token), then collects frames until told to stop,
// the server closes, or a deadline passes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fabro::testing {

struct sse_frame {
  uint64_t id = 0;    // the `id:` line, 0 if none
  std::string data;   // the `data:` line
};

class sse_client {
 public:
  // Opens `path` on 127.0.0.1:port. status() is the HTTP status (0 when
  // the connection failed).
  sse_client(uint16_t port, const std::string& path, const std::string& extra_headers = "");
  ~sse_client();
  int status() const { return status_; }
  std::string header(const std::string& lower_name) const;
  // Reads until `count` frames arrived in total, the stream ended, or
  // `timeout` passed; returns every frame so far.
  const std::vector<sse_frame>& wait_for(size_t count,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until the server closes the stream (true) or `timeout` (false).
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  const std::vector<sse_frame>& frames() const { return frames_; }
  size_t comments() const { return comments_; }  // keep-alive lines seen
  bool closed() const { return closed_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline);
  void parse();
  int fd_ = -1;
  int status_ = 0;
  std::string head_;
  std::string buf_;
  std::vector<sse_frame> frames_;
  size_t comments_ = 0;
  bool closed_ = false;
};

}  // namespace fabro::testing
