#include "actors/stage_handlers/llm_agent.hpp"

#include <chrono>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/stage_handlers/agent_tools.hpp"
#include "model/engine/handlers.hpp"
#include "model/json_writer.hpp"
#include "model/llm/llm_agent.hpp"
#include "model/llm/llm_stage.hpp"

namespace fabro::actors {

namespace {

namespace llm = model::llm;
using agent_data_atom = caf::atom_constant<caf::atom("agentdata")>;
using agent_done_atom = caf::atom_constant<caf::atom("agentdone")>;

using agent_actor = stage_handler_actor::extend<
    caf::reacts_to<agent_data_atom, std::string, uint64_t, std::string>,
    caf::reacts_to<agent_done_atom, std::string, uint64_t, long, std::string, std::string,
                   std::string>,
    caf::reacts_to<resume_atom, std::string, uint64_t>>;

constexpr size_t kToolOutputLimit = 16 * 1024;

struct agent_stage {
  caf::typed_response_promise<stage_reply> promise;
  stage_call call;
  chosen_provider provider;
  int64_t max_tokens = 4096;
  int64_t max_turns = 20;
  std::vector<std::string> conversation;
  int64_t turn = 0;
  int64_t attempt = 0;          // of the turn's request
  llm::usage total;
  uint64_t request_id = 0;      // the request whose callbacks count; 0 = none
  uint64_t fetch_id = 0;
  std::string body;             // the answer so far
  std::vector<llm::tool_call> calls;
  size_t next_call = 0;
  std::vector<llm::tool_result> results;
  std::string shell_stage;      // the shell call running ("" = none)
  bool paused = false;
  std::function<void()> held;   // the next step, held while paused
  uint64_t timer = 0;
};

struct agent_state {
  llm_handler_config cfg;
  std::shared_ptr<outbound_http> http;
  stage_handler_actor command;
  std::map<std::string, agent_stage> stages;  // by "<run>/<stage>"
  uint64_t requests = 0, timers = 0;
  static inline const char* name = "llm_agent_handler";
};

using agent_pointer = agent_actor::stateful_pointer<agent_state>;

std::string attr(const stage_call& c, const char* k, std::string fallback = "") {
  auto it = c.attributes.find(k);
  return it == c.attributes.end() || it->second.empty() ? fallback : it->second;
}

void send_event(const agent_stage& s, const char* name, std::string props) {
  caf::anon_send(s.call.events, stage_event_atom::value, s.call.stage_id, std::string(name),
                 std::move(props));
}

void finish(agent_pointer self, const std::string& key, stage_reply reply) {
  auto it = self->state.stages.find(key);
  if (it == self->state.stages.end()) return;
  it->second.promise.deliver(std::move(reply));
  self->state.stages.erase(it);
}

agent_stage* find(agent_pointer self, const std::string& key) {
  auto it = self->state.stages.find(key);
  return it == self->state.stages.end() ? nullptr : &it->second;
}

// Runs `step` now, or at unpause.
void when_running(agent_stage& s, std::function<void()> step) {
  if (s.paused)
    s.held = std::move(step);
  else
    step();
}

void send_turn(agent_pointer self, const std::string& key);
void next_tool(agent_pointer self, const std::string& key);

void next_turn(agent_pointer self, const std::string& key) {
  auto* s = find(self, key);
  if (!s) return;
  if (s->turn >= s->max_turns)
    return finish(self, key,
                  failed_reply("Agent turn limit reached (max_turns=" +
                                   std::to_string(s->max_turns) + ")",
                               false));
  ++s->turn;
  s->attempt = 0;
  when_running(*s, [=] { send_turn(self, key); });
}

void send_turn(agent_pointer self, const std::string& key) {
  auto* s = find(self, key);
  if (!s) return;
  ++s->attempt;
  s->body.clear();
  auto request = llm::build_agent_request(s->provider.endpoint, s->provider.model, s->max_tokens,
                                          "", s->conversation);
  outbound_http::limits limits;
  limits.connect_timeout_ms = self->state.cfg.connect_timeout_ms;
  auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  auto id = s->request_id = ++self->state.requests;
  auto cb = posting_callbacks<agent_actor, agent_data_atom, agent_done_atom>(me, key, id);
  s->fetch_id = self->state.http->fetch(std::move(request), limits, std::move(cb));
}

void on_failure(agent_pointer self, const std::string& key, agent_stage& s, llm::failure f) {
  s.request_id = 0;
  const auto& cfg = self->state.cfg;
  if (auto wait = llm::retry_delay_ms(f, s.attempt, cfg.max_attempts, cfg.backoff_ms)) {
    send_event(s, "stage.llm_retry", llm::retry_event_json(f, s.attempt, *wait));
    s.timer = ++self->state.timers;
    self->delayed_send(self, std::chrono::milliseconds(*wait), resume_atom::value, key, s.timer);
    return;
  }
  finish(self, key, failed_reply(f.message, f.kind == llm::failure_kind::retry));
}

void on_turn(agent_pointer self, const std::string& key, agent_stage& s, llm::agent_turn t) {
  s.request_id = 0;
  s.total.input_tokens += t.tokens.input_tokens;
  s.total.output_tokens += t.tokens.output_tokens;
  s.total.cache_read_tokens += t.tokens.cache_read_tokens;
  model::json_writer w;
  w.begin_object().field("text", t.text).field("model", s.provider.model)
      .field("tool_call_count", static_cast<int64_t>(t.calls.size()))
      .field("visit", s.call.attempt).field("turn", s.turn);
  w.key("billing").begin_object().field("input_tokens", t.tokens.input_tokens)
      .field("output_tokens", t.tokens.output_tokens)
      .field("cache_read_tokens", t.tokens.cache_read_tokens).end_object().end_object();
  send_event(s, "agent.message", w.take());
  s.conversation.push_back(std::move(t.assistant_message));
  if (t.calls.empty()) {
    auto reply = to_reply(llm::prompt_outcome(s.call.node_id, t.text));
    reply.usage = {s.provider.name, s.provider.model, s.total.input_tokens,
                   s.total.output_tokens, s.total.cache_read_tokens};
    model::json_writer done;
    done.begin_object().field("response", t.text).field("model", s.provider.model)
        .field("provider", s.provider.name);
    if (auto billing = billing_json(reply.usage); !billing.empty()) done.key("billing").raw(billing);
    done.end_object();
    reply.events.push_back({"prompt.completed", done.take()});
    reply.events.push_back({"agent.session.ended", "{\"visit\":" + std::to_string(s.call.attempt) + "}"});
    reply.artifacts.push_back({"response.md", t.text});
    return finish(self, key, std::move(reply));
  }
  s.calls = std::move(t.calls);
  s.next_call = 0;
  s.results.clear();
  next_tool(self, key);
}

void tool_done(agent_pointer self, const std::string& key, tool_output out) {
  auto* s = find(self, key);
  if (!s) return;
  const auto& c = s->calls[s->next_call];
  if (out.text.size() > kToolOutputLimit)
    out.text = out.text.substr(0, kToolOutputLimit) + "\n[truncated]";
  model::json_writer w;
  w.begin_object().field("tool_name", c.name).field("tool_call_id", c.id)
      .field("output", out.text).key("is_error").value(out.is_error)
      .field("visit", s->call.attempt).end_object();
  send_event(*s, "agent.tool.completed", w.take());
  s->results.push_back({c.id, std::move(out.text), out.is_error});
  ++s->next_call;
  when_running(*s, [=] { next_tool(self, key); });
}

void run_shell(agent_pointer self, const std::string& key, agent_stage& s,
               const llm::tool_call& c) {
  auto command = llm::string_argument(c, "command");
  if (command.empty()) return tool_done(self, key, {"shell needs a command", true});
  stage_call call = s.call;
  call.stage_id = s.call.stage_id + "/tool-" + std::to_string(s.turn) + "-" +
                  std::to_string(s.next_call + 1);
  call.attributes = {{"script", command}};
  call.artifact_prefix = s.call.artifact_prefix + "/tools";
  s.shell_stage = call.stage_id;
  self->request(self->state.command, caf::infinite, stage_atom::value, std::move(call))
      .then(
          [=](stage_reply& r) {
            if (auto* st = find(self, key)) st->shell_stage.clear();
            auto out = [&](const char* k) {
              auto it = r.context_updates.find(k);
              return it == r.context_updates.end() ? std::string() : it->second;
            };
            std::string text = r.status == model::stage_status::failed ? r.failure_message + "\n"
                                                                         : "exit code 0\n";
            if (r.status != model::stage_status::failed)
              text += out("command.output") + (out("command.stderr").empty()
                                                   ? ""
                                                   : "\n## stderr\n" + out("command.stderr"));
            tool_done(self, key, {text, r.status == model::stage_status::failed});
          },
          [=](caf::error& err) {
            if (auto* st = find(self, key)) st->shell_stage.clear();
            tool_done(self, key, {"shell failed: " + self->system().render(err), true});
          });
}

void next_tool(agent_pointer self, const std::string& key) {
  auto* s = find(self, key);
  if (!s) return;
  if (s->next_call == s->calls.size()) {
    for (auto& m : llm::tool_result_messages(s->provider.endpoint.kind, s->results))
      s->conversation.push_back(std::move(m));
    return next_turn(self, key);
  }
  const auto& c = s->calls[s->next_call];
  model::json_writer w;
  w.begin_object().field("tool_name", c.name).field("tool_call_id", c.id).key("arguments")
      .raw(c.arguments_json).field("visit", s->call.attempt).end_object();
  send_event(*s, "agent.tool.started", w.take());
  const auto& dir = s->call.work_dir;
  if (c.name == "shell") return run_shell(self, key, *s, c);
  if (c.name == "read_file") return tool_done(self, key, read_file_tool(dir, llm::string_argument(c, "path")));
  if (c.name == "write_file")
    return tool_done(self, key, write_file_tool(dir, llm::string_argument(c, "path"),
                                                llm::string_argument(c, "content")));
  if (c.name == "list_dir") return tool_done(self, key, list_dir_tool(dir, llm::string_argument(c, "path")));
  tool_done(self, key, {"Unknown tool '" + c.name + "'", true});
}

agent_actor::behavior_type agent_handler(agent_pointer self, llm_handler_config cfg,
                                         std::shared_ptr<outbound_http> http,
                                         stage_handler_actor command) {
  self->state.cfg = std::move(cfg);
  self->state.http = std::move(http);
  self->state.command = std::move(command);
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        auto chosen = provider_for(self->state.cfg, call);
        if (!chosen) return failed_reply(chosen.error().detail, false);
        auto key = call.run_id + "/" + call.stage_id;
        auto& s = self->state.stages[key];
        s.promise = self->make_response_promise<stage_reply>();
        s.call = call;
        s.provider = *chosen;
        s.max_tokens = std::max<int64_t>(1, std::atoll(attr(call, "max_tokens", "4096").c_str()));
        s.max_turns = std::max<int64_t>(1, std::atoll(attr(call, "max_turns", "20").c_str()));
        s.conversation = {llm::user_message(call.prompt)};
        model::json_writer w;
        w.begin_object().field("provider", s.provider.name).field("model", s.provider.model)
            .field("visit", call.attempt).end_object();
        send_event(s, "agent.session.started", w.take());
        model::json_writer p;
        p.begin_object().field("visit", call.attempt).field("text", call.prompt)
            .field("mode", "agent").field("provider", s.provider.name)
            .field("model", s.provider.model).end_object();
        send_event(s, "stage.prompt", p.take());
        auto promise = s.promise;
        next_turn(self, key);
        return promise;
      },
      [=](agent_data_atom, const std::string& key, uint64_t id, const std::string& bytes) {
        auto* s = find(self, key);
        if (s && s->request_id == id) s->body += bytes;
      },
      [=](agent_done_atom, const std::string& key, uint64_t id, long status,
          const std::string& retry_after, const std::string& body, const std::string& broken) {
        auto* s = find(self, key);
        if (!s || s->request_id != id) return;
        const auto& ep = s->provider.endpoint;
        if (!broken.empty()) return on_failure(self, key, *s, llm::transport_failure(ep, broken));
        if (status != 200)
          return on_failure(self, key, *s, llm::classify_failure(ep, status, body, retry_after));
        auto turn = llm::parse_agent_turn(ep.kind, s->body);
        if (!turn) return finish(self, key, failed_reply(turn.error().detail, true));
        on_turn(self, key, *s, std::move(*turn));
      },
      [=](resume_atom, const std::string& key, uint64_t timer) {
        auto* s = find(self, key);
        if (s && s->timer == timer) when_running(*s, [=] { send_turn(self, key); });
      },
      [=](stage_control_atom, const std::string& run, const std::string& stage,
          model::control_action action) {
        auto key = run + "/" + stage;
        auto* s = find(self, key);
        if (!s) return;
        if (!s->shell_stage.empty())
          self->send(self->state.command, stage_control_atom::value, run, s->shell_stage, action);
        switch (action) {
          case model::control_action::cancel:
            if (s->request_id) self->state.http->cancel(s->fetch_id);
            finish(self, key, failed_reply("Agent cancelled", true));
            return;
          case model::control_action::pause: s->paused = true; return;
          case model::control_action::unpause: {
            s->paused = false;
            auto held = std::exchange(s->held, nullptr);
            if (held) held();
            return;
          }
          case model::control_action::none: return;
        }
      },
  };
}

}  // namespace

stage_handler_actor spawn_llm_agent_handler(caf::actor_system& sys, llm_handler_config cfg,
                                            std::shared_ptr<outbound_http> http,
                                            stage_handler_actor command) {
  return caf::actor_cast<stage_handler_actor>(
      sys.spawn(agent_handler, std::move(cfg), std::move(http), std::move(command)));
}

}  // namespace fabro::actors
