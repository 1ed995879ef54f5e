#include "actors/stage_records.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace fabro::actors {
namespace {

// A /proc file's text, "" when it cannot be read. POSIX reads: a process
// that exits mid-read makes read() fail with ESRCH, which std::ifstream
// turns into an exception.
std::string read_proc(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buf[1024];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

// Field 22 of /proc/<pid>/stat; 0 when the process does not exist.
uint64_t start_time(pid_t pid) {
  std::string text = read_proc("/proc/" + std::to_string(pid) + "/stat");
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) return std::strtoull(f.c_str(), nullptr, 10);
  return 0;
}

std::string record_path(const std::string& dir, pid_t pgid) {
  return dir + "/" + std::to_string(pgid);
}

bool group_exists(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

// Whether a member of group `pgid` is still running. Zombies do not count:
// orphans wait for an init that may reap them late (or never, in some
// containers), and a zombie holds no descriptor, port or file.
bool group_running(pid_t pgid) {
  if (!group_exists(pgid)) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string text = read_proc((entry.path() / "stat").string());
    auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    char state = 0;
    long long ppid = 0, pgrp = 0;
    if (!(fields >> state >> ppid >> pgrp)) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') return true;
  }
  return false;
}

// The recorded group, when it is still the stage's (see the header).
bool still_ours(pid_t pgid, uint64_t recorded_start) {
  uint64_t now = start_time(pgid);
  if (now != 0 && now != recorded_start) return false;  // the pid was reused
  return group_running(pgid);
}

}  // namespace

bool record_stage(const std::string& dir, pid_t pgid) {
  std::string line = std::to_string(pgid) + " " + std::to_string(start_time(pgid)) + "\n";
  int fd = ::open(record_path(dir, pgid).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fdatasync(fd) == 0;
  ::close(fd);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ok = ::fsync(dfd) == 0 && ok;
    ::close(dfd);
  }
  return ok;
}

void forget_stage(const std::string& dir, pid_t pgid) {
  ::unlink(record_path(dir, pgid).c_str());
}

int reap_recorded_stages(const std::string& dir, int64_t grace_ms) {
  std::vector<pid_t> live;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    files.push_back(entry.path().string());
    std::ifstream in(entry.path());
    long long pgid = 0;
    unsigned long long start = 0;
    if (!(in >> pgid >> start) || pgid <= 1) continue;
    auto g = static_cast<pid_t>(pgid);
    if (!still_ours(g, start)) continue;
    ::kill(-g, SIGTERM);
    ::kill(-g, SIGCONT);  // a stopped group must run to see SIGTERM
    live.push_back(g);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  auto any_left = [&] {
    for (pid_t g : live)
      if (group_running(g)) return true;
    return false;
  };
  while (any_left() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (pid_t g : live) ::kill(-g, SIGKILL);
  for (const auto& f : files) ::unlink(f.c_str());
  return static_cast<int>(live.size());
}

}  // namespace fabro::actors
