// The process runner: executes one command stage's script (engine reference
// §4.4) on its own thread, so a long or stuck command never blocks a CAF
// worker. Each runner is a detached actor that answers exactly one `run`
// request and then quits; the run actor spawns one per command attempt.
//
// The script runs as `/bin/bash -c SCRIPT` in the working directory, in a new
// process group whose id is the bash pid, with stdin from /dev/null, the
// given environment, and stdout/stderr captured separately. On timeout the
// whole group gets SIGTERM, then SIGKILL after the grace period. With a
// record_dir the group is recorded durably before it is reported started
// and forgotten once it is gone (actors/stage_records.hpp), so a restarted
// server can end what a dead one left running; the child's bash waits at a
// gate on stdin until then, so no part of a stage runs unrecorded. The
// child holds fds 0-2 only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "model/engine/handlers.hpp"

namespace fabro::actors {

struct command_spec {
  std::string script;
  std::string work_dir;
  std::vector<std::string> env;           // "KEY=VALUE", already filtered
  int64_t timeout_ms = 600000;            // node `timeout`, default 10 min
  int64_t grace_ms = 2000;                // SIGTERM → SIGKILL of the group
  uint64_t max_capture_bytes = 16 << 20;  // per stream; bytes beyond are counted only
  std::string record_dir;                 // actors/stage_records.hpp; "" = none
  // Runs `wrapper... /bin/bash -c script` instead (the bubblewrap sandbox:
  // model/engine/sandbox_isolation.hpp); the group leader is then wrapper[0].
  std::vector<std::string> wrapper;
};

struct command_result {
  model::termination how = model::termination::exited;
  int32_t exit_code = -1;       // exit status; the signal number when signaled
  int64_t pid = 0;              // bash pid = process group id; 0 if spawn failed
  std::string stdout_text;      // captured output (at most max_capture_bytes)
  std::string stderr_text;
  uint64_t stdout_bytes = 0;    // total bytes written, captured or not
  uint64_t stderr_bytes = 0;
  int64_t duration_ms = 0;
  std::string error;            // spawn failure detail; "" otherwise
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command_spec& x) {
  return f(caf::meta::type_name("command_spec"), x.script, x.work_dir, x.env, x.timeout_ms,
           x.grace_ms, x.max_capture_bytes, x.record_dir, x.wrapper);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command_result& x) {
  return f(caf::meta::type_name("command_result"), x.how, x.exit_code, x.pid, x.stdout_text,
           x.stderr_text, x.stdout_bytes, x.stderr_bytes, x.duration_ms, x.error);
}

using process_runner_actor = caf::typed_actor<
    // Runs the command to its end (exit, timeout + kill, or spawn failure)
    // and answers what happened; never fails. The runner then quits.
    caf::replies_to<run_atom, command_spec>::with<command_result>>;

// How the owner steers a running command from another thread (the run
// actor on pause, unpause and cancel). Thread-safe: atomics only.
//  - pause()/resume(): the timeout does not tick while paused (the owner
//    stops and continues the process group itself with SIGSTOP/SIGCONT);
//  - cancel(): the runner ends the group as on a timeout (SIGTERM, grace,
//    SIGKILL) and reports termination::timed_out.
class command_gate {
 public:
  void pause() { paused_since_.store(now_ms()); }
  void resume() {
    auto since = paused_since_.exchange(0);
    if (since) paused_total_ += now_ms() - since;
  }
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }
  // Milliseconds spent paused so far.
  int64_t paused_ms() const {
    auto since = paused_since_.load();
    return paused_total_.load() + (since ? now_ms() - since : 0);
  }

 private:
  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::atomic<int64_t> paused_since_{0};
  std::atomic<int64_t> paused_total_{0};
  std::atomic<bool> cancelled_{false};
};

// Spawns a runner on its own thread. `on_started` (optional) is called on
// that thread with the process group id as soon as the process exists, so
// the owner can signal the group (pause, cancel) while it runs. `gate`
// (optional) steers the timeout and cancellation.
process_runner_actor spawn_process_runner(caf::actor_system& sys,
                                          std::function<void(int64_t pgid)> on_started = {},
                                          std::shared_ptr<command_gate> gate = nullptr);

}  // namespace fabro::actors
