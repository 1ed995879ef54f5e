#include "actors/stage_handlers/command.hpp"

#include <signal.h>

#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/process_runner.hpp"
#include "model/json_writer.hpp"

namespace fabro::actors {

namespace {

using model::json_writer;

// The handler's own message: a running command's process group (from its
// runner's thread), by "<run>/<stage>".
using command_actor =
    stage_handler_actor::extend<caf::reacts_to<pgid_atom, std::string, int64_t>>;

struct running_command {
  int64_t pgid = 0;  // 0 until the runner reports it
  bool paused = false;
  std::shared_ptr<command_gate> gate = std::make_shared<command_gate>();
};

struct command_state {
  command_handler_config cfg;
  std::map<std::string, running_command> running;  // by "<run>/<stage>"
  static inline const char* name = "command_handler";
};

using command_pointer = command_actor::stateful_pointer<command_state>;

void signal_group(int64_t pgid, int sig) {
  if (pgid > 0) kill(static_cast<pid_t>(-pgid), sig);
}

std::string attribute(const stage_call& call, const char* key) {
  auto it = call.attributes.find(key);
  return it == call.attributes.end() ? "" : it->second;
}

// The reply for a command that ran (or could not start).
stage_reply finished(const stage_call& call, const command_spec& spec, command_result& r) {
  const auto& prefix = call.artifact_prefix;
  json_writer c;
  c.begin_object().field("exit_code", static_cast<int64_t>(r.exit_code))
      .field("termination", model::to_string(r.how)).field("pid", r.pid)
      .field("duration_ms", r.duration_ms)
      .field("stdout_tail", model::tail(r.stdout_text, 4096))
      .field("stderr_tail", model::tail(r.stderr_text, 4096))
      .field("stdout_bytes", r.stdout_bytes).field("stderr_bytes", r.stderr_bytes)
      .field("stdout_ref", prefix + "/stdout").field("stderr_ref", prefix + "/stderr");
  if (!r.error.empty()) c.field("error", r.error);
  c.end_object();
  model::command_run run{spec.script, spec.timeout_ms, r.how, r.exit_code, r.stdout_text,
                         r.stderr_text};
  auto reply = to_reply(model::command_outcome(run));
  reply.events.push_back({"command.completed", c.take()});
  reply.artifacts.push_back({"stdout", std::move(r.stdout_text)});
  reply.artifacts.push_back({"stderr", std::move(r.stderr_text)});
  return reply;
}

caf::result<stage_reply> run(command_pointer self, const stage_call& call) {
  auto script = attribute(call, "script");
  if (script.empty()) script = attribute(call, "tool_command");
  if (script.find_first_not_of(" \t\r\n") == std::string::npos)
    return to_reply(model::failed_outcome("No script specified"));
  auto language = attribute(call, "language");
  if (language.empty()) language = "shell";
  command_spec spec;
  spec.script = language == "python" ? "python3 -c " + script : script;
  spec.work_dir = call.work_dir;
  spec.env = call.env;
  spec.timeout_ms = call.timeout_ms > 0 ? call.timeout_ms : 600000;
  spec.grace_ms = self->state.cfg.kill_grace_ms;
  spec.record_dir = self->state.cfg.stage_records_dir;
  spec.wrapper = call.sandbox_argv;
  json_writer w;
  w.begin_object().field("script", script).field("command", "/bin/bash -c")
      .field("language", language).field("timeout_ms", spec.timeout_ms).end_object();
  self->send(call.events, stage_event_atom::value, call.stage_id,
             std::string("command.started"), w.take());
  auto key = call.run_id + "/" + call.stage_id;
  auto& cmd = self->state.running[key];
  cmd = running_command{};
  auto me = caf::actor_cast<command_actor>(self);
  auto runner = spawn_process_runner(
      self->system(), [me, key](int64_t pgid) { caf::anon_send(me, pgid_atom::value, key, pgid); },
      cmd.gate);
  auto promise = self->make_response_promise<stage_reply>();
  self->request(runner, caf::infinite, run_atom::value, spec)
      .then(
          [=](command_result& result) mutable {
            self->state.running.erase(key);
            promise.deliver(finished(call, spec, result));
          },
          [=](caf::error&) mutable {
            self->state.running.erase(key);
            promise.deliver(
                to_reply(model::failed_outcome("Failed to spawn script", model::retry_kind::error)));
          });
  return promise;
}

command_actor::behavior_type command_handler(command_pointer self, command_handler_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
      [=](stage_atom, const stage_call& call) { return run(self, call); },
      [=](pgid_atom, const std::string& key, int64_t pgid) {
        auto it = self->state.running.find(key);
        if (it == self->state.running.end()) return;
        it->second.pgid = pgid;
        // Paused before its group was known: stop it now.
        if (it->second.paused) signal_group(pgid, SIGSTOP);
      },
      [=](stage_control_atom, const std::string& run_id, const std::string& stage,
          model::control_action action) {
        auto it = self->state.running.find(run_id + "/" + stage);
        if (it == self->state.running.end()) return;
        auto& cmd = it->second;
        switch (action) {
          case model::control_action::cancel:
            // The runner ends the group (even before its pgid reached us);
            // its result is the reply.
            cmd.gate->resume();
            cmd.gate->cancel();
            signal_group(cmd.pgid, SIGTERM);
            signal_group(cmd.pgid, SIGCONT);
            return;
          case model::control_action::pause:
            cmd.paused = true;
            signal_group(cmd.pgid, SIGSTOP);
            cmd.gate->pause();
            return;
          case model::control_action::unpause:
            cmd.paused = false;
            cmd.gate->resume();
            signal_group(cmd.pgid, SIGCONT);
            return;
          case model::control_action::none: return;
        }
      },
  };
}

}  // namespace

stage_handler_actor spawn_command_handler(caf::actor_system& sys, command_handler_config cfg) {
  return caf::actor_cast<stage_handler_actor>(sys.spawn(command_handler, std::move(cfg)));
}

}  // namespace fabro::actors
