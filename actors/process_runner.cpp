#include "actors/process_runner.hpp"

#include "actors/stage_records.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace fabro::actors {
namespace {

using clock = std::chrono::steady_clock;

int64_t ms_since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
}

struct stream {
  int fd = -1;
  std::string* text;
  uint64_t* total;
};

// Reads what is available; closes the fd at EOF.
void drain(stream& s, uint64_t cap) {
  char buf[65536];
  ssize_t n = read(s.fd, buf, sizeof buf);
  if (n > 0) {
    *s.total += static_cast<uint64_t>(n);
    if (s.text->size() < cap)
      s.text->append(buf, std::min<size_t>(static_cast<size_t>(n), cap - s.text->size()));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close(s.fd);
    s.fd = -1;
  }
}

bool group_alive(pid_t pgid) { return kill(-pgid, 0) == 0; }

// Spawns bash (under spec.wrapper, if any) in its own process group; fills `pid` or returns an error text.
// With a gate (in_fd >= 0) the child's bash first waits for one line on
// stdin, then execs the stage's bash (same pid, stdin /dev/null): nothing of
// the stage runs before the runner has recorded its group, and if the server
// dies first the pipe's EOF ends it unrun.
constexpr const char* kGate = "IFS= read -r _ || exit 125; exec /bin/bash -c \"$0\" </dev/null";

std::string spawn(const command_spec& spec, int in_fd, int out_fd, int err_fd, pid_t& pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  // Nothing of the server's reaches the stage: every descriptor above 2 is
  // closed in the child before exec, whoever opened it and whether or not
  // it is O_CLOEXEC (Pistache's listening socket, CAF's and Pistache's
  // epoll/eventfd/timerfd, SQLite's files, other stages' pipes).
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (!spec.work_dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, spec.work_dir.c_str());
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                    POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : spec.wrapper) argv.push_back(const_cast<char*>(a.c_str()));
  for (const char* a : {"/bin/bash", "-c"}) argv.push_back(const_cast<char*>(a));
  if (in_fd >= 0) argv.push_back(const_cast<char*>(kGate));
  argv.push_back(const_cast<char*>(spec.script.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& kv : spec.env) envp.push_back(const_cast<char*>(kv.c_str()));
  envp.push_back(nullptr);
  int rc = posix_spawn(&pid, argv[0], &fa, &at, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  return rc == 0 ? "" : std::string("Failed to spawn script: ") + std::strerror(rc);
}

command_result run_command(const command_spec& spec,
                           const std::function<void(int64_t)>& on_started,
                           const std::shared_ptr<command_gate>& gate) {
  command_result r;
  auto start = clock::now();
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    r.how = model::termination::spawn_failed;
    r.error = std::string("Failed to spawn script: ") + std::strerror(errno);
    return r;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    r.how = model::termination::spawn_failed;
    r.error = std::string("Failed to spawn script: ") + std::strerror(errno);
    return r;
  }
  int in[2] = {-1, -1};
  bool gated = !spec.record_dir.empty();
  if (gated && pipe2(in, O_CLOEXEC) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    r.how = model::termination::spawn_failed;
    r.error = std::string("Failed to spawn script: ") + std::strerror(errno);
    return r;
  }
  pid_t pid = 0;
  r.error = spawn(spec, in[0], out[1], err[1], pid);
  close(out[1]);
  close(err[1]);
  if (gated) close(in[0]);
  stream streams[2] = {{out[0], &r.stdout_text, &r.stdout_bytes},
                       {err[0], &r.stderr_text, &r.stderr_bytes}};
  if (!r.error.empty()) {
    for (auto& s : streams) close(s.fd);
    if (gated) close(in[1]);
    r.how = model::termination::spawn_failed;
    return r;
  }
  r.pid = pid;
  // Durable before the stage runs (the gate) and before the run hears of
  // it. A failure to record does not fail the stage: it only loses the
  // reaping after a crash.
  bool recorded = gated && record_stage(spec.record_dir, pid);
  if (gated) {
    (void)!::write(in[1], "\n", 1);  // open the gate
    close(in[1]);
  }
  if (on_started) on_started(pid);
  bool exited = false, timed_out = false, killed = false;
  int status = 0;
  int64_t exited_at = 0, term_at = 0;
  while (true) {
    pollfd fds[2];
    nfds_t n = 0;
    for (auto& s : streams)
      if (s.fd >= 0) fds[n++] = pollfd{s.fd, POLLIN, 0};
    if (n > 0) poll(fds, n, 20);
    else usleep(2000);  // pipes closed: bash is about to exit
    for (auto& s : streams)
      if (s.fd >= 0) {
        pollfd p{s.fd, POLLIN, 0};
        if (poll(&p, 1, 0) > 0) drain(s, spec.max_capture_bytes);
      }
    // The timeout counts only time not spent paused.
    int64_t now = ms_since(start) - (gate ? gate->paused_ms() : 0);
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exited_at = now;
    }
    bool pipes_open = streams[0].fd >= 0 || streams[1].fd >= 0;
    if (!timed_out) {
      // Background children may keep the pipes open: stop reading shortly
      // after bash itself exited.
      if (exited && (!pipes_open || now - exited_at > 200)) break;
      if (!exited && (now >= spec.timeout_ms || (gate && gate->cancelled()))) {
        timed_out = true;
        term_at = now;
        kill(-pid, SIGTERM);
        kill(-pid, SIGCONT);  // a stopped group must run to see SIGTERM
      }
      continue;
    }
    if (!killed && (now - term_at >= spec.grace_ms || (exited && !group_alive(pid)))) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    if (killed && exited) break;
  }
  for (auto& s : streams)
    if (s.fd >= 0) close(s.fd);
  // Background children of a finished bash may still run in its group: the
  // record stays until the group is gone, so a restart ends them.
  if (recorded && !group_alive(pid)) forget_stage(spec.record_dir, pid);
  r.duration_ms = ms_since(start);
  if (timed_out) {
    r.how = model::termination::timed_out;
  } else if (WIFSIGNALED(status)) {
    r.how = model::termination::signaled;
    r.exit_code = WTERMSIG(status);
  } else {
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace

process_runner_actor spawn_process_runner(caf::actor_system& sys,
                                          std::function<void(int64_t)> on_started,
                                          std::shared_ptr<command_gate> gate) {
  // on_started travels as a spawn argument: CAF 0.17 dereferences a null
  // argument tuple when a function actor takes none (UBSan).
  return sys.spawn<caf::detached>(
      [](process_runner_actor::pointer self, std::function<void(int64_t)> notify,
         std::shared_ptr<command_gate> gate) -> process_runner_actor::behavior_type {
        return {
            [=](run_atom, const command_spec& spec) {
              auto r = run_command(spec, notify, gate);
              self->quit();
              return r;
            },
        };
      },
      std::move(on_started), std::move(gate));
}

}  // namespace fabro::actors
