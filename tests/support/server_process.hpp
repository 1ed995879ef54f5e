// Runs the real fabro-orchestrator binary for end-to-end tests: on a free
// loopback port (--bind 127.0.0.1:0, port read from its log line), with a
// data directory the test owns. Stops it with SIGTERM, or kills it.
//
// The child's environment is the test's, with FABRO_DEV_TOKEN set to
// kTestDevToken (tests/support/http_client.hpp sends it by default) and
// FABRO_JWT_PUBLIC_KEY and the model providers' keys and base URLs removed,
// unless `env` says otherwise.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fabro::testing {

// Environment changes for a child: name → value, or nullopt to remove it.
using env_changes = std::map<std::string, std::optional<std::string>>;

// A temporary directory removed with its contents on destruction.
struct temp_dir {
  std::string path;
  temp_dir();
  ~temp_dir();
};

class server_process {
 public:
  // Starts `fabro-orchestrator serve --data-dir DIR --bind 127.0.0.1:0 ARGS...`
  // (no default --bind when ARGS has one; port() is then the one it logs)
  // with `env` applied over the defaults above, and waits until it listens.
  // started() tells whether it did.
  explicit server_process(const std::string& data_dir, std::vector<std::string> args = {},
                          const env_changes& env = {});
  ~server_process();  // SIGKILL if still running

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; returns the exit status (exit code, or 128+signal),
  // or kStopHung when it had not exited 30 s later (then it is SIGKILLed).
  static constexpr int kStopHung = 999;
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

// Runs the binary with `args` (environment as for server_process), waits,
// and returns {exit code, output}.
std::pair<int, std::string> run_binary(const std::vector<std::string>& args,
                                       const env_changes& env = {});

// What a finished child wrote, stdout and stderr apart.
struct binary_output {
  int code = -1;    // exit code, 128+signal, or -1 when it had to be killed
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the binary with `args` in working directory `cwd` (environment as
// for server_process) and waits for it; after `limit_ms` it is SIGKILLed
// (code -1), so a hanging client fails the test instead of stalling it.
binary_output run_binary_in(const std::string& cwd, const std::vector<std::string>& args,
                            const env_changes& env = {}, int limit_ms = 60000);

}  // namespace fabro::testing
