#include "actors/run.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/run_state.hpp"
#include "model/engine/checkpoint.hpp"
#include "model/engine/executor.hpp"
#include "model/engine/handlers.hpp"
#include "model/engine/sandbox_env.hpp"
#include "model/engine/sandbox_isolation.hpp"
#include "model/json_writer.hpp"
#include "model/run_control.hpp"
#include "model/run_definition.hpp"
#include "model/workflow/workflow_check.hpp"

extern char** environ;

namespace fabro::actors {
namespace {

using model::json_writer;

// Stages that may finish between two commits.
constexpr int kMaxUncommitted = 16;

}  // namespace

void emit(run_pointer self, std::string name, std::string props, std::string node_id,
          std::string node_label, std::string stage_id) {
  auto& st = self->state;
  model::run_event e;
  e.run_id = st.live.id;
  e.seq = ++st.live.last_seq;
  e.event = std::move(name);
  e.properties_json = std::move(props);
  e.node_id = std::move(node_id);
  e.node_label = std::move(node_label);
  e.stage_id = std::move(stage_id);
  st.pending.push_back(std::move(e));
}

std::string object(std::initializer_list<std::pair<const char*, std::string>> fields) {
  model::json_writer w;
  w.begin_object();
  for (const auto& [k, v] : fields) w.field(k, v);
  w.end_object();
  return w.take();
}

namespace {

void finish(run_pointer self, model::run_status status, model::status_reason reason,
            std::string error, std::function<void()> after_commit = nullptr) {
  auto& st = self->state;
  if (model::is_terminal(st.live.status)) return;
  st.live.status = status;
  st.live.reason = reason;
  st.live.error_message = error;
  st.live.pending_control = model::control_action::none;
  st.live.queue_position = 0;
  st.live.duration_ms = st.live.start_time_ms >= 0 ? now_ms() - st.live.start_time_ms : 0;
  st.held = nullptr;
  json_writer w;
  w.begin_object();
  if (status == model::run_status::completed) {
    w.field("duration_ms", st.live.duration_ms).field("artifact_count", int64_t{0})
        .field("status", "success").field("reason", model::to_string(reason));
  } else {
    w.field("error", error).field("duration_ms", st.live.duration_ms)
        .field("reason", model::to_string(reason));
  }
  w.end_object();
  emit(self, status == model::run_status::completed ? "run.completed" : "run.failed", w.take());
  commit_pending(self, [=] {
    if (after_commit) after_commit();
    if (self->state.opts.queue)
      self->send(self->state.opts.queue, release_atom::value, self->state.live.id);
    end_run(self);
  });
}

void fail(run_pointer self, model::status_reason reason, std::string error) {
  finish(self, model::run_status::failed, reason, std::move(error));
}

// Moves the executor's events and checkpoint into the pending commit.
void collect(run_pointer self) {
  auto& st = self->state;
  for (auto& e : st.exec->take_events())
    emit(self, std::move(e.event), std::move(e.properties_json), std::move(e.node_id),
         std::move(e.node_label), std::move(e.stage_id));
  if (auto c = st.exec->take_checkpoint()) {
    c->timestamp_ms = now_ms();
    store::run_write w{store::write_kind::checkpoint, st.live, "", "", {}, "", ""};
    w.payload = model::to_json(*c);
    st.extra.push_back(std::move(w));
  }
}

void perform(run_pointer self, const model::stage_request& req);

// Acts on the executor's next step: every step boundary is a commit.
void drive(run_pointer self, model::step s) {
  auto& st = self->state;
  collect(self);
  switch (s.kind) {
    case model::step_kind::next:
      // Stages that finished inside the executor commit together with
      // whatever comes next (before anything external happens), at least
      // every kMaxUncommitted stages; in between the actor yields to its
      // mailbox so a long chain never holds a worker thread.
      if (++st.uncommitted_stages < kMaxUncommitted) {
        self->send(self, resume_atom::value, ++st.timer_token);
        st.wait = waiting::proceed;
        return;
      }
      commit_pending(self, [=] { drive(self, self->state.exec->proceed()); });
      return;
    case model::step_kind::backoff: {
      st.wait = waiting::timer_backoff;
      auto token = ++st.timer_token;
      auto delay = std::chrono::milliseconds(s.delay_ms);
      commit_pending(self, [=] { self->delayed_send(self, delay, resume_atom::value, token); });
      return;
    }
    case model::step_kind::execute:
      perform(self, s.stage);
      return;
    case model::step_kind::finished:
      if (s.succeeded) finish(self, model::run_status::completed, model::status_reason::completed, "");
      else fail(self, model::status_reason::workflow_error, s.error);
      return;
  }
}

}  // namespace

void finish_cancelled(run_pointer self, std::function<void()> after_commit) {
  finish(self, model::run_status::cancelled, model::status_reason::cancelled,
         "Pipeline cancelled", std::move(after_commit));
}

namespace {

// Runs `next` now, or when the run is unpaused; a pending cancel wins.
void continue_run(run_pointer self, std::function<void()> next) {
  auto& st = self->state;
  if (st.live.pending_control == model::control_action::cancel) return finish_cancelled(self);
  if (st.live.status == model::run_status::paused) {
    st.held = std::move(next);
    return;
  }
  next();
}

}  // namespace

void complete(run_pointer self, model::stage_outcome o) {
  self->state.wait = waiting::nothing;
  continue_run(self, [=]() mutable { drive(self, self->state.exec->complete(std::move(o))); });
}

namespace {

// Carries out a stage the executor cannot (see model::needs_actor): its
// registered handler.
void perform(run_pointer self, const model::stage_request& req) {
  auto& st = self->state;
  st.stage = req;
  const auto* node = st.exec->graph().find_node(req.node_id);
  if (goes_to_handler(*node, st.opts.handlers))
    return call_handler(self, *node, st.opts.handlers.at(handler_key(*node, st.opts.handlers)));
  complete(self, model::failed_outcome("No stage handler is registered for type " +
                                       handler_key(*node, st.opts.handlers)));
}

// Whether one of the run's stages goes to the simulated LLM.
bool simulates_llm(const run_state& st) {
  if (st.opts.simulated_llm.empty()) return false;
  for (const auto& n : st.exec->graph().nodes())
    if (model::is_llm_handler(n.handler()) &&
        handler_key(n, st.opts.handlers) == model::to_string(n.handler()) &&
        st.opts.simulated_llm.find(model::to_string(n.handler())) != std::string::npos)
      return true;
  return false;
}

std::string resolve_work_dir(const model::run_definition& def) {
  std::filesystem::path base(def.working_directory);
  const auto& wd = def.settings.working_dir;
  if (wd.empty()) return base.string();
  std::filesystem::path p(wd);
  return (p.is_absolute() ? p : base / p).lexically_normal().string();
}

// From starting to running (or a bootstrap/launch failure), then executes.
void bootstrap(run_pointer self, const std::string& definition, const std::string& from) {
  auto& st = self->state;
  auto def = model::parse_run_definition(definition);
  if (!def) return fail(self, model::status_reason::bootstrap_failed,
                        "The run definition cannot be read: " + def.error().detail);
  st.def = std::move(*def);
  st.work_dir = resolve_work_dir(st.def);
  std::error_code ec;
  if (st.work_dir.empty() || !std::filesystem::is_directory(st.work_dir, ec))
    return fail(self, model::status_reason::bootstrap_failed,
                "Working directory does not exist: " + st.work_dir);
  bool dry = st.def.settings.dry_run;
  if (!dry && !st.opts.local_sandbox)
    return fail(self, model::status_reason::launch_failed,
                "The local sandbox is disabled on this server, so command stages cannot "
                "run; submit the run with dry_run=true or enable the local sandbox.");
  if (!dry) {
    auto sandbox = model::choose_sandbox(st.def.settings.sandbox, st.opts.sandbox,
                                         !st.opts.bwrap_path.empty());
    if (!sandbox) return fail(self, model::status_reason::launch_failed, sandbox.error().detail);
    st.sandbox = *sandbox;
    // Once per run: every stage process gets the same environment and wrapper.
    std::vector<std::string> host;
    for (char** e = environ; e && *e; ++e) host.emplace_back(*e);
    st.stage_env = model::sandbox_environment(host, st.def.settings.env);
    if (st.sandbox == "bubblewrap")
      st.sandbox_argv =
          model::bubblewrap_argv(st.opts.bwrap_path, st.work_dir, st.opts.sandbox_hidden);
  }
  model::workflow_check_config check;
  check.goal_override = st.def.goal;
  auto graph = model::load_workflow(st.def.source, check);
  if (!graph) {
    std::string msg = "Workflow validation failed";
    for (const auto& d : graph.error().diagnostics)
      if (d.level == model::severity::error) {
        msg += ": " + d.message;
        break;
      }
    return fail(self, model::status_reason::workflow_error, msg);
  }
  if (!dry && st.opts.llm_unavailable)
    for (const auto& n : graph->nodes())
      if (model::is_llm_handler(n.handler()) && !goes_to_handler(n, st.opts.handlers))
        return fail(self, model::status_reason::workflow_error, kNoLlmProviders);
  model::executor_options eo;
  eo.run_id = st.live.id;
  eo.work_dir = st.work_dir;
  eo.dry_run = dry;
  eo.auto_approve = st.def.settings.auto_approve;
  eo.jitter = st.opts.retry_jitter;
  // (The executor lives in this state beside the handler map.)
  eo.external = [&handlers = st.opts.handlers](const model::graph_node& n) {
    return goes_to_handler(n, handlers) ? handler_key(n, handlers) : std::string();
  };
  eo.draw = [gen = std::make_shared<std::mt19937_64>(std::random_device{}())] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(*gen);
  };
  auto exec = model::executor::create(std::move(*graph), std::move(eo));
  if (!exec) return fail(self, model::status_reason::workflow_error, exec.error().detail);
  st.exec.emplace(std::move(*exec));
  emit(self, "sandbox.initializing", object({{"provider", st.sandbox}}));
  emit(self, "sandbox.ready", object({{"provider", st.sandbox}}));
  emit(self, "sandbox.initialized", object({{"working_directory", st.work_dir}}));
  std::optional<model::step> first;
  if (from.empty()) {
    st.exec->begin();
  } else {
    auto c = model::parse_checkpoint(from);
    if (!c) return fail(self, model::status_reason::bootstrap_failed, c.error().detail);
    first = st.exec->resume(*c);
  }
  collect(self);
  st.live.status = model::run_status::running;
  st.live.reason = model::status_reason::none;
  emit(self, "run.running", "{}");
  if (!dry && simulates_llm(st))
    emit(self, "run.notice",
         object({{"level", "info"}, {"code", "llm_simulated"},
                 {"message", "Command stages run for real in the " + st.sandbox +
                                 " sandbox; " + st.opts.simulated_llm +
                                 " stages use a simulated backend."}}));
  drive(self, first && first->kind == model::step_kind::finished ? *first : st.exec->proceed());
}

void start(run_pointer self, record_promise& promise, const std::string& definition,
           const std::string& from) {
  auto& st = self->state;
  if (st.started || (st.live.status != model::run_status::submitted &&
                     st.live.status != model::run_status::queued)) {
    promise.deliver(to_error(model::errc::conflict, std::string("Run is ") +
                                                        model::to_string(st.live.status) +
                                                        "; only submitted or queued runs can start."));
    return;
  }
  st.started = true;
  st.live.status = model::run_status::starting;
  st.live.reason = model::status_reason::sandbox_initializing;
  st.live.queue_position = 0;
  st.live.start_time_ms = now_ms();
  emit(self, "run.starting", object({{"reason", "sandbox_initializing"}}));
  commit_pending(self, [=]() mutable {
    promise.deliver(self->state.committed);
    bootstrap(self, definition, from);
  });
}

void resume(run_pointer self, uint64_t token) {
  auto& st = self->state;
  if (token != st.timer_token) return;  // a stale timer
  if (st.wait == waiting::handler) return on_handler_deadline(self, token);
  if (st.live.status == model::run_status::paused ||
      st.live.pending_control == model::control_action::cancel) {
    // A safe point: hold the step until unpaused (or end on cancel).
    return continue_run(self, [=] { resume(self, token); });
  }
  if (st.wait == waiting::proceed) {
    st.wait = waiting::nothing;
    drive(self, st.exec->proceed());
  } else if (st.wait == waiting::timer_backoff) {
    st.wait = waiting::nothing;
    drive(self, st.exec->retry());
  }
}

// The effect of a durable control request on the running run.
void apply_control(run_pointer self, model::control_action action) {
  auto& st = self->state;
  bool handler = st.wait == waiting::handler;
  switch (action) {
    case model::control_action::cancel:
      // A stage in a handler ends the run when it answers (run_stage.cpp).
      if (handler) return control_handler(self, action);
      return finish_cancelled(self);
    case model::control_action::pause:
      if (handler) control_handler(self, action);
      st.live.status = model::run_status::paused;
      st.live.pending_control = model::control_action::none;
      emit(self, "run.paused", "{}");
      commit_pending(self, [=] {
        if (self->state.opts.queue)
          self->send(self->state.opts.queue, release_atom::value, self->state.live.id);
      });
      return;
    case model::control_action::unpause:
      if (handler) control_handler(self, action);
      st.live.status = model::run_status::running;
      st.live.pending_control = model::control_action::none;
      emit(self, "run.unpaused", "{}");
      commit_pending(self, [=] {
        if (self->state.opts.queue)
          self->send(self->state.opts.queue, occupy_atom::value, self->state.live.id);
        auto next = std::move(self->state.held);
        self->state.held = nullptr;
        if (next) next();
      });
      return;
    case model::control_action::none:
      return;
  }
}

void control(run_pointer self, record_promise& promise, model::control_action action,
             const std::string& login) {
  auto& st = self->state;
  auto effect = model::decide_control(st.live, action);
  if (!effect) {
    promise.deliver(to_error(effect.error()));
    return;
  }
  if (*effect == model::control_effect::repeat) {
    promise.deliver(st.committed);
    return;
  }
  json_writer props;
  props.begin_object().field("action", model::to_string(action)).end_object();
  auto actor = login.empty() ? std::string()
                             : object({{"kind", "user"}, {"id", login}, {"display", login}});
  emit(self, std::string("run.") + model::to_string(action) + ".requested", props.take());
  st.pending.back().actor_json = actor;
  if (*effect == model::control_effect::end_now) {
    bool was_queued = st.live.status == model::run_status::queued;
    // The request and run.failed are committed together, then answered;
    // only then does the run leave the queue.
    finish_cancelled(self, [=]() mutable {
      if (was_queued && self->state.opts.queue)
        self->request(self->state.opts.queue, caf::infinite, dequeue_atom::value,
                      self->state.live.id)
            .then([](bool) {});
      promise.deliver(self->state.committed);
    });
    return;
  }
  st.live = model::with_pending(st.live, action);
  commit_pending(self, [=]() mutable {
    promise.deliver(self->state.committed);
    apply_control(self, action);
  });
}

// A worker's event (POST /runs/{id}/events): the next seq, nothing else.
void append(run_pointer self, record_promise& promise, model::run_event e) {
  auto& st = self->state;
  e.run_id = st.live.id;
  e.seq = ++st.live.last_seq;
  st.pending.push_back(std::move(e));
  commit_pending(self, [=]() mutable { promise.deliver(self->state.committed); });
}

run_actor::behavior_type run_impl(run_pointer self, model::run_record record,
                                  journal_actor journal, run_options opts) {
  self->state.committed = record;
  self->state.live = std::move(record);
  self->state.journal = std::move(journal);
  self->state.opts = opts;
  return {
      [=](get_atom) { return self->state.committed; },
      [=](start_atom, const std::string& def) {
        return admit_request(self, [=](record_promise& p) { start(self, p, def, ""); });
      },
      [=](start_atom, const std::string& def, const std::string& from) {
        return admit_request(self, [=](record_promise& p) { start(self, p, def, from); });
      },
      [=](questions_atom) { return open_questions(self); },
      [=](answer_atom, const std::string& qid, const model::human_answer& given) {
        return admit_request(self, [=](record_promise& p) { answer(self, p, qid, given); });
      },
      [=](stage_event_atom, const std::string& stage_id, std::string& event,
          std::string& props) {
        admit_input(self, [=] { on_stage_event(self, stage_id, event, props); });
      },
      [=](stage_question_atom, const std::string& stage_id) {
        auto promise = self->make_response_promise<model::gate_answer>();
        admit_input(self, [=] { ask(self, stage_id, promise); });
        return promise;
      },
      [=](resume_atom, uint64_t token) { admit_input(self, [=] { resume(self, token); }); },
      [=](control_atom, model::control_action action, const std::string& login) {
        return admit_request(self,
                             [=](record_promise& p) { control(self, p, action, login); });
      },
      [=](append_atom, model::run_event& e) {
        return admit_request(self, [=](record_promise& p) { append(self, p, e); });
      },
      [=](commit_atom) { retry_commit(self); },
  };
}

}  // namespace

run_actor spawn_run(caf::actor_system& sys, model::run_record record, journal_actor journal,
                    run_options options) {
  return sys.spawn(run_impl, std::move(record), std::move(journal), options);
}

}  // namespace fabro::actors
