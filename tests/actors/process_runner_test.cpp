// The process runner: output capture, exit codes, environment, timeouts
// that leave no process of the command's group alive.
#include "actors/process_runner.hpp"

#include <signal.h>

#include <fstream>

#include "tests/actors/execution_harness.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace fabro::testing;

namespace {

command_result run(caf::actor_system& sys, command_spec spec) {
  caf::scoped_actor self{sys};
  command_result out;
  self->request(spawn_process_runner(sys), 60s, run_atom::value, spec)
      .receive([&](command_result& r) { out = std::move(r); },
               [&](caf::error&) { FAIL("runner failed"); });
  return out;
}

// Dead, or a zombie waiting for a reaper other than us: not running.
bool running(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  auto close = text.rfind(')');
  return close != std::string::npos && text.size() > close + 2 && text[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("a command's output, exit code and filtered environment are captured",
          "[actors][exec]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  temp_dir dir;
  command_spec spec;
  spec.script = "pwd; echo \"$KEEP-$SOME_API_KEY\"; echo err >&2; exit 7";
  spec.work_dir = dir.str();
  spec.env = {"PATH=/usr/bin:/bin", "KEEP=yes"};
  auto r = run(sys, spec);
  CHECK(r.how == model::termination::exited);
  CHECK(r.exit_code == 7);
  CHECK(r.stdout_text == dir.str() + "\nyes-\n");
  CHECK(r.stderr_text == "err\n");
  CHECK(r.pid > 0);
}

TEST_CASE("a spawn failure is reported, not thrown", "[actors][exec]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  command_spec spec;
  spec.script = "true";
  spec.work_dir = "/nonexistent/fabro";
  auto r = run(sys, spec);
  CHECK(r.how == model::termination::spawn_failed);
  CHECK(r.error.find("Failed to spawn script") == 0);
}

TEST_CASE("on timeout no process of the command's group survives", "[actors][exec]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  temp_dir dir;
  command_spec spec;
  // Children that ignore SIGTERM need the SIGKILL after the grace period.
  spec.script =
      "sleep 60 & echo $! >> pids; (trap '' TERM; sleep 60) & echo $! >> pids; "
      "bash -c 'trap \"\" TERM; sleep 60' & echo $! >> pids; echo $$ >> pids; wait";
  spec.work_dir = dir.str();
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout_ms = 300;
  spec.grace_ms = 300;
  auto r = run(sys, spec);
  CHECK(r.how == model::termination::timed_out);
  std::ifstream in(dir.path / "pids");
  std::vector<pid_t> pids;
  for (pid_t p; in >> p;) pids.push_back(p);
  REQUIRE(pids.size() == 4);
  CHECK(pids.back() == r.pid);
  exec_harness waiter;  // only for eventually()
  for (auto p : pids) CHECK(waiter.eventually([&] { return !running(p); }, 5s));
}
