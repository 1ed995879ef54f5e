#include "actors/stage_handlers/llm_prompt.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/id_source.hpp"
#include "model/json_writer.hpp"
#include "model/llm/llm_stage.hpp"

namespace fabro::actors {

namespace {

namespace llm = model::llm;
using llm_data_atom = caf::atom_constant<caf::atom("llmdata")>;
using llm_done_atom = caf::atom_constant<caf::atom("llmdone")>;

using llm_actor = stage_handler_actor::extend<
    caf::reacts_to<llm_data_atom, std::string, uint64_t, std::string>,
    caf::reacts_to<llm_done_atom, std::string, uint64_t, long, std::string, std::string,
                   std::string>,
    caf::reacts_to<resume_atom, std::string, uint64_t>>;

struct prompt_stage {
  caf::typed_response_promise<stage_reply> promise;
  stage_call call;
  llm::endpoint endpoint;
  std::string provider, model;
  llm::http_request request;
  std::unique_ptr<llm::stream_decoder> decoder;
  uint64_t request_id = 0;  // the request whose callbacks count; 0 = none in flight
  uint64_t fetch_id = 0;    // its id at the fetcher (to cancel it)
  int64_t attempt = 0;
  std::string unsent;        // streamed text not yet in a progress event
  int64_t last_progress_ms = 0;
  bool paused = false;
  bool retry_due = false;    // a retry's backoff ended while paused
  uint64_t timer = 0;        // the backoff timer that counts
};

struct llm_state {
  llm_handler_config cfg;
  std::shared_ptr<outbound_http> http;
  std::map<std::string, prompt_stage> stages;  // by "<run>/<stage>"
  uint64_t timers = 0;
  uint64_t requests = 0;
  static inline const char* name = "llm_prompt_handler";
};

using llm_pointer = llm_actor::stateful_pointer<llm_state>;

std::string attr(const stage_call& c, const char* k) {
  auto it = c.attributes.find(k);
  return it == c.attributes.end() ? std::string() : it->second;
}

std::string default_model(const std::string& provider) {
  return provider == "anthropic" ? "claude-sonnet-4-5" : "gpt-4o";
}

void send_event(const prompt_stage& s, const char* name, std::string props) {
  caf::anon_send(s.call.events, stage_event_atom::value, s.call.stage_id, std::string(name),
                 std::move(props));
}

void flush_progress(prompt_stage& s) {
  if (s.unsent.empty()) return;
  model::json_writer w;
  w.begin_object().field("text", s.unsent)
      .field("chars", static_cast<int64_t>(s.decoder->so_far().text.size())).end_object();
  send_event(s, "stage.progress", w.take());
  s.unsent.clear();
  s.last_progress_ms = now_ms();
}

void finish(llm_pointer self, const std::string& key, stage_reply reply) {
  auto it = self->state.stages.find(key);
  if (it == self->state.stages.end()) return;
  it->second.promise.deliver(std::move(reply));
  self->state.stages.erase(it);
}

void send_request(llm_pointer self, const std::string& key, prompt_stage& s) {
  ++s.attempt;
  s.decoder = std::make_unique<llm::stream_decoder>(s.endpoint.kind);
  outbound_http::limits limits;
  limits.connect_timeout_ms = self->state.cfg.connect_timeout_ms;
  limits.timeout_ms = s.call.timeout_ms;
  auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  auto id = s.request_id = ++self->state.requests;
  auto cb = posting_callbacks<llm_actor, llm_data_atom, llm_done_atom>(me, key, id);
  s.fetch_id = self->state.http->fetch(s.request, limits, std::move(cb));
}

void on_failure(llm_pointer self, const std::string& key, prompt_stage& s, llm::failure f) {
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

void on_answer(llm_pointer self, const std::string& key, prompt_stage& s) {
  flush_progress(s);
  const auto& r = s.decoder->so_far();
  auto reply = to_reply(llm::prompt_outcome(s.call.node_id, r.text));
  reply.usage = {s.provider, s.model, r.tokens.input_tokens, r.tokens.output_tokens,
                 r.tokens.cache_read_tokens};
  model::json_writer w;
  w.begin_object().field("response", r.text).field("model", s.model).field("provider", s.provider);
  if (auto billing = billing_json(reply.usage); !billing.empty()) w.key("billing").raw(billing);
  w.end_object();
  reply.events.push_back({"prompt.completed", w.take()});
  reply.artifacts.push_back({"response.md", r.text});
  finish(self, key, std::move(reply));
}

llm_actor::behavior_type llm_handler(llm_pointer self, llm_handler_config cfg,
                                     std::shared_ptr<outbound_http> http) {
  self->state.cfg = std::move(cfg);
  self->state.http = std::move(http);
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        auto chosen = provider_for(self->state.cfg, call);
        if (!chosen) return failed_reply(chosen.error().detail, false);
        auto key = call.run_id + "/" + call.stage_id;
        auto& s = self->state.stages[key];
        s.promise = self->make_response_promise<stage_reply>();
        s.call = call;
        s.endpoint = chosen->endpoint;
        s.provider = chosen->name;
        s.model = chosen->model;
        llm::request req;
        req.model = s.model;
        req.messages.push_back({"user", call.prompt});
        auto max_tokens = attr(call, "max_tokens");
        if (!max_tokens.empty()) req.max_tokens = std::atoll(max_tokens.c_str());
        if (req.max_tokens <= 0) req.max_tokens = 4096;
        req.reasoning_effort = attr(call, "reasoning_effort");
        s.request = llm::build_http_request(s.endpoint, req);
        model::json_writer w;
        w.begin_object().field("visit", call.attempt).field("text", call.prompt)
            .field("mode", "prompt").field("provider", s.provider).field("model", s.model)
            .end_object();
        send_event(s, "stage.prompt", w.take());
        send_request(self, key, s);
        return s.promise;
      },
      [=](llm_data_atom, const std::string& key, uint64_t id, const std::string& bytes) {
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end() || it->second.request_id != id) return;
        auto& s = it->second;
        s.unsent += s.decoder->feed(bytes);
        if (now_ms() - s.last_progress_ms >= self->state.cfg.progress_interval_ms)
          flush_progress(s);
      },
      [=](llm_done_atom, const std::string& key, uint64_t id, long status,
          const std::string& retry_after, const std::string& body, const std::string& broken) {
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end() || it->second.request_id != id) return;
        auto& s = it->second;
        if (!broken.empty()) return on_failure(self, key, s, llm::transport_failure(s.endpoint, broken));
        if (status != 200)
          return on_failure(self, key, s,
                            llm::classify_failure(s.endpoint, status, body, retry_after));
        if (!s.decoder->error().empty())
          return on_failure(self, key, s,
                            llm::transport_failure(s.endpoint, "the stream ended with an error: " +
                                                                   s.decoder->error()));
        on_answer(self, key, s);
      },
      [=](resume_atom, const std::string& key, uint64_t timer) {
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end() || it->second.timer != timer) return;
        auto& s = it->second;
        if (s.paused) {
          s.retry_due = true;
          return;
        }
        send_request(self, key, s);
      },
      [=](stage_control_atom, const std::string& run, const std::string& stage,
          model::control_action action) {
        auto key = run + "/" + stage;
        auto it = self->state.stages.find(key);
        if (it == self->state.stages.end()) return;
        auto& s = it->second;
        switch (action) {
          case model::control_action::cancel:
            if (s.request_id) self->state.http->cancel(s.fetch_id);
            finish(self, key, failed_reply("Prompt cancelled", true));
            return;
          case model::control_action::pause: s.paused = true; return;
          case model::control_action::unpause:
            s.paused = false;
            if (std::exchange(s.retry_due, false)) send_request(self, key, s);
            return;
          case model::control_action::none: return;
        }
      },
  };
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

stage_reply failed_reply(std::string message, bool retryable) {
  stage_reply r;
  r.status = model::stage_status::failed;
  r.failure_message = std::move(message);
  r.retryable = retryable;
  return r;
}

model::result<chosen_provider> provider_for(const llm_handler_config& cfg, const stage_call& call) {
  auto provider = attr(call, "provider");
  if (provider.empty() && !cfg.providers.empty()) provider = cfg.providers.begin()->first;
  auto ep = cfg.providers.find(provider);
  if (ep == cfg.providers.end()) {
    auto known = provider == "openai" || provider == "anthropic";
    auto text = known ? "The " + provider + " provider is not configured for stage " +
                            call.node_id + ". Set " +
                            (provider == "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY") + "."
                      : "No LLM provider is configured for stage " + call.node_id +
                            (provider.empty() ? "" : " (provider " + provider + ")") +
                            ". Set ANTHROPIC_API_KEY or OPENAI_API_KEY.";
    return model::make_problem(model::errc::invalid_request, text);
  }
  auto model = attr(call, "model");
  return chosen_provider{provider, ep->second, model.empty() ? default_model(provider) : model};
}

llm_handler_config llm_config_from_environment(const std::map<std::string, std::string>& base_urls,
                                               const std::map<std::string, std::string>& key_files) {
  llm_handler_config cfg;
  struct known {
    const char* name;
    llm::protocol kind;
    const char* key_env;
    const char* url_env;
    const char* url;
  };
  for (const auto& k : {known{"openai", llm::protocol::openai, "OPENAI_API_KEY", "OPENAI_BASE_URL",
                              "https://api.openai.com/v1"},
                        known{"anthropic", llm::protocol::anthropic, "ANTHROPIC_API_KEY",
                              "ANTHROPIC_BASE_URL", "https://api.anthropic.com"}}) {
    auto key = env(k.key_env);
    std::string source = k.key_env;
    auto file = key_files.find(k.name);
    if (key.empty() && file != key_files.end()) {
      std::ifstream in(file->second);
      std::getline(in, key);
      while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
      source = file->second;
    }
    if (key.empty()) continue;
    llm::endpoint e;
    e.kind = k.kind;
    e.api_key = key;
    e.key_source = source;
    auto configured = base_urls.find(k.name);
    e.base_url = !env(k.url_env).empty()           ? env(k.url_env)
                 : configured != base_urls.end()   ? configured->second
                                                   : std::string(k.url);
    cfg.providers.emplace(k.name, std::move(e));
  }
  return cfg;
}

stage_handler_actor spawn_llm_prompt_handler(caf::actor_system& sys, llm_handler_config cfg,
                                             std::shared_ptr<outbound_http> http) {
  return caf::actor_cast<stage_handler_actor>(sys.spawn(llm_handler, std::move(cfg), std::move(http)));
}

}  // namespace fabro::actors
