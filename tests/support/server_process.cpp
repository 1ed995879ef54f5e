#include "tests/support/server_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"

extern char** environ;

namespace fabro::testing {
namespace {

#ifndef FABRO_BINARY
#define FABRO_BINARY "fabro-orchestrator"
#endif

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The child's environment: ours, then the test defaults, then `changes`.
// Built before fork(): the child only calls async-signal-safe functions.
std::vector<std::string> child_env(const env_changes& changes) {
  // No test reaches a real model provider, whatever the developer's shell has.
  env_changes all = {{"FABRO_DEV_TOKEN", std::string(kTestDevToken)},
                     {"FABRO_JWT_PUBLIC_KEY", std::nullopt},
                     {"OPENAI_API_KEY", std::nullopt},
                     {"OPENAI_BASE_URL", std::nullopt},
                     {"ANTHROPIC_API_KEY", std::nullopt},
                     {"ANTHROPIC_BASE_URL", std::nullopt}};
  for (const auto& [k, v] : changes) all[k] = v;
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!all.count(entry.substr(0, entry.find('=')))) out.push_back(entry);
  }
  for (const auto& [k, v] : all)
    if (v) out.push_back(k + "=" + *v);
  return out;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log_path,
            const env_changes& env) {
  auto env_strings = child_env(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  std::string bin = FABRO_BINARY;
  argv.push_back(bin.data());
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // The test binary may have signals blocked; the server must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    FILE* log = std::fopen(log_path.c_str(), "w");
    if (log) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

temp_dir::temp_dir() {
  char tmpl[] = "/tmp/fabro-test-XXXXXX";
  path = mkdtemp(tmpl);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

server_process::server_process(const std::string& data_dir, std::vector<std::string> args,
                               const env_changes& env) {
  log_path_ = data_dir + ".log." + std::to_string(getpid()) + "." +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::vector<std::string> all = {"serve", "--data-dir", data_dir};
  if (std::find(args.begin(), args.end(), "--bind") == args.end()) {
    all.push_back("--bind");
    all.push_back("127.0.0.1:0");
  }
  all.insert(all.end(), args.begin(), args.end());
  pid_ = spawn(all, log_path_, env);
  // Wait for "listening on HOST:PORT (" (or the process to die).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = read_file(log_path_);
    auto pos = text.find("listening on ");
    auto end = pos == std::string::npos ? pos : text.find(" (", pos);
    if (end != std::string::npos) {
      auto colon = text.rfind(':', end);
      port_ = static_cast<uint16_t>(std::atoi(text.c_str() + colon + 1));
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

server_process::~server_process() {
  kill();
  std::remove(log_path_.c_str());
}

int server_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  // A server that has not exited 30 s after SIGTERM hangs: killed, and
  // reported as kStopHung so the test fails instead of waiting forever.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      wait_status(pid_);
      pid_ = -1;
      return kStopHung;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void server_process::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_status(pid_);
  pid_ = -1;
}

std::string server_process::log() const { return read_file(log_path_); }

std::pair<int, std::string> run_binary(const std::vector<std::string>& args,
                                       const env_changes& env) {
  temp_dir dir;
  std::string log = dir.path + "/out.log";
  pid_t pid = spawn(args, log, env);
  int code = wait_status(pid);
  return {code, read_file(log)};
}

binary_output run_binary_in(const std::string& cwd, const std::vector<std::string>& args,
                            const env_changes& env, int limit_ms) {
  temp_dir dir;
  std::string out_path = dir.path + "/out.log", err_path = dir.path + "/err.log";
  auto env_strings = child_env(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = FABRO_BINARY;
  std::vector<char*> argv{bin.data()};
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    FILE* out = std::fopen(out_path.c_str(), "w");
    FILE* err = std::fopen(err_path.c_str(), "w");
    if (out) dup2(fileno(out), 1);
    if (err) dup2(fileno(err), 2);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  binary_output r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      wait_status(pid);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace fabro::testing
