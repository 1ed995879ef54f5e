// Runs the real fabro-orchestrator binary for end-to-end tests: on a free
// loopback port (--bind 127.0.0.1:0, port read from its log line), with a
// data directory the test owns. Stops it with SIGTERM, or kills it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fabro::testing {

// A temporary directory removed with its contents on destruction.
struct temp_dir {
  std::string path;
  temp_dir();
  ~temp_dir();
};

class server_process {
 public:
  // Starts `fabro-orchestrator serve --bind 127.0.0.1:0 --data-dir DIR ARGS...`
  // and waits until it listens. started() tells whether it did.
  explicit server_process(const std::string& data_dir, std::vector<std::string> args = {});
  ~server_process();  // SIGKILL if still running

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; returns the exit status (exit code, or 128+signal).
  int stop();
  // SIGKILL and wait (a crash).
  void kill();
  // Everything the server wrote to stdout/stderr so far.
  std::string log() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
};

// Runs the binary with `args`, waits, and returns {exit code, output}.
std::pair<int, std::string> run_binary(const std::vector<std::string>& args);

}  // namespace fabro::testing
