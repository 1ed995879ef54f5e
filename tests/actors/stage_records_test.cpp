// Stage records: a recorded group that still runs is ended by the reaper;
// a record whose pid now belongs to another process is never acted on.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "actors/stage_records.hpp"
#include "tests/actors/execution_harness.hpp"

using namespace fabro::actors;
using fabro::testing::temp_dir;

namespace {

// `sleep 30` leading a process group of its own; the caller reaps it.
pid_t sleeper() {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // either side may win the race; both ask the same
  return pid;
}

// True once `pid` (our child) has been killed by a signal; reaps it.
bool killed(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status);
}

}  // namespace

TEST_CASE("the reaper ends a recorded group that still runs and removes its record",
          "[actors][stages]") {
  temp_dir dir;
  pid_t pid = sleeper();
  REQUIRE(record_stage(dir.str(), pid));
  auto file = dir.str() + "/" + std::to_string(pid);
  REQUIRE(std::filesystem::exists(file));
  CHECK(reap_recorded_stages(dir.str(), 2000) == 1);
  CHECK(killed(pid));
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("a record whose start time does not match is forgotten, not killed",
          "[actors][stages]") {
  temp_dir dir;
  pid_t pid = sleeper();
  // As if the recorded stage had died and its pid gone to this process.
  std::ofstream(dir.str() + "/" + std::to_string(pid)) << pid << " 1\n";
  CHECK(reap_recorded_stages(dir.str(), 100) == 0);
  CHECK(kill(pid, 0) == 0);  // untouched
  CHECK(std::filesystem::is_empty(dir.path));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST_CASE("records of groups that are gone, and forgotten ones, cost nothing",
          "[actors][stages]") {
  temp_dir dir;
  pid_t pid = sleeper();
  REQUIRE(record_stage(dir.str(), pid));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  CHECK(reap_recorded_stages(dir.str(), 100) == 0);
  pid_t other = sleeper();
  REQUIRE(record_stage(dir.str(), other));
  forget_stage(dir.str(), other);
  CHECK(reap_recorded_stages(dir.str(), 100) == 0);
  CHECK(kill(other, 0) == 0);
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
}
