#include "app/bwrap_probe.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "model/engine/sandbox_isolation.hpp"

extern char** environ;

namespace fabro::app {
namespace {

std::string find_bwrap() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = (std::filesystem::path(dir.empty() ? "." : dir) / "bwrap").string();
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return ::access("/usr/bin/bwrap", X_OK) == 0 ? "/usr/bin/bwrap" : "";
}

}  // namespace

bwrap_probe probe_bwrap() {
  bwrap_probe p;
  p.path = find_bwrap();
  if (p.path.empty()) {
    p.error = "bwrap is not installed (Debian package bubblewrap)";
    return p;
  }
  auto args = model::bubblewrap_argv(p.path, "/tmp", {});
  args.push_back("/bin/true");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    p.error = p.path + " cannot be started: " + std::strerror(rc);
    return p;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  p.works = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!p.works) p.error = p.path + " cannot create its namespaces here (a trial sandbox failed)";
  return p;
}

}  // namespace fabro::app
