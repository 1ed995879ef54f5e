// The built-in handler of prompt stages when a model provider is configured
// (issue 17; the seam is actors/stage_handler.hpp): one streamed request to
// the stage's provider and model (the run resolves them into the call's
// attributes `provider`, `model`, `reasoning_effort`, `max_tokens`), the
// answer as model::llm::prompt_outcome makes it (context, notes, a JSON
// directive's routing), its text as the artifact `response.md`, its token
// usage as the stage's billing.
//
// Events: `stage.prompt` (the prompt, provider, model) when the request
// goes out; `stage.progress` {"text": the new text, "chars": so far} at most
// every `progress_interval_ms` while the answer streams; `prompt.completed`
// (response, provider, model, billing) at the end.
//
// Failures (model::llm::classify_failure): 429, 5xx and dropped connections
// are tried again up to `max_attempts` times, after Retry-After when the
// provider sends one, else an exponential backoff from `backoff_ms`; then
// the stage fails retryable. Context-length and quota refusals fail the
// stage (budget_exhausted); auth refusals fail it without retry, naming the
// key's source, never its value; so does a provider that is not configured.
// Cancel aborts the request in flight at once and answers failed ("Prompt
// cancelled"). Pause lets a request in flight complete and holds the next
// one (a retry) until unpause.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/fwd.hpp>
#include <caf/send.hpp>

#include "actors/outbound_http.hpp"
#include "actors/stage_handler.hpp"
#include "model/llm/llm_wire.hpp"
#include "model/result.hpp"

namespace fabro::actors {

struct llm_handler_config {
  // Configured providers by name ("openai", "anthropic"): those with a key.
  std::map<std::string, model::llm::endpoint> providers;
  int64_t max_attempts = 4;
  int64_t backoff_ms = 1000;
  int64_t progress_interval_ms = 250;
  int64_t connect_timeout_ms = 10000;
};

// The providers the environment configures: OPENAI_API_KEY (with
// OPENAI_BASE_URL, default https://api.openai.com/v1) and ANTHROPIC_API_KEY
// (ANTHROPIC_BASE_URL, default https://api.anthropic.com). `base_urls`
// (the server config's, by provider name) replace the defaults; the
// environment's base URL wins over both. Without the variable, the key is
// the first line of `key_files`' file for that provider (named as the key's
// source in auth failures); an unreadable file configures nothing.
llm_handler_config llm_config_from_environment(
    const std::map<std::string, std::string>& base_urls = {},
    const std::map<std::string, std::string>& key_files = {});

// The provider stage `call` goes to: its `provider` attribute, else the
// first configured; the failure reply (not retried) naming what to set when
// that provider is not configured.
struct chosen_provider {
  std::string name;
  model::llm::endpoint endpoint;
  std::string model;  // the call's `model`, else the provider's default
};
model::result<chosen_provider> provider_for(const llm_handler_config& cfg, const stage_call& call);

// A failed reply.
stage_reply failed_reply(std::string message, bool retryable);

// Sends `xs` to the actor `to` names, if it still lives: the I/O thread's
// callbacks hold no strong reference, so a request in flight never keeps
// its handler alive (no cycle through the fetcher the handler owns).
template <class Handle, class... Ts>
void send_if_alive(const caf::weak_actor_ptr& to, Ts&&... xs) {
  if (auto strong = to.lock())
    caf::anon_send(caf::actor_cast<Handle>(strong), std::forward<Ts>(xs)...);
}

// Callbacks of request `id` of stage `key` that post to handler `self`:
// (DataAtom, key, id, bytes) per piece and (DoneAtom, key, id, status,
// retry_after, error_body, transport_error) at the end.
template <class Handle, class DataAtom, class DoneAtom>
outbound_http::callbacks posting_callbacks(const caf::weak_actor_ptr& self, const std::string& key,
                                           uint64_t id) {
  outbound_http::callbacks cb;
  cb.on_data = [self, key, id](std::string_view bytes) {
    send_if_alive<Handle>(self, DataAtom::value, key, id, std::string(bytes));
  };
  cb.on_done = [self, key, id](outbound_http::ending e) {
    send_if_alive<Handle>(self, DoneAtom::value, key, id, e.status, std::move(e.retry_after),
                          std::move(e.error_body), std::move(e.transport_error));
  };
  return cb;
}

stage_handler_actor spawn_llm_prompt_handler(caf::actor_system& sys, llm_handler_config cfg,
                                             std::shared_ptr<outbound_http> http);

}  // namespace fabro::actors
