#include "actors/run_setup.hpp"

#include <caf/actor_system.hpp>

#include "actors/stage_handlers/command.hpp"
#include "actors/stage_handlers/human.hpp"
#include "actors/stage_handlers/llm_agent.hpp"
#include "actors/stage_handlers/llm_prompt.hpp"
#include "actors/stage_handlers/simulated_llm.hpp"
#include "actors/stage_handlers/wait.hpp"

namespace fabro::actors {

namespace {

// Agent and prompt handlers (orchestrator_config's LLM fields): an
// embedder's, else real ones on the configured providers, else the
// simulation when opted into, else none (runs with LLM stages then fail
// their precondition). Needs the command handler (the agent's shell).
void add_llm_handlers(caf::actor_system& sys, const orchestrator_config& cfg, run_options& o) {
  o.llm_defaults = cfg.llm_defaults;
  o.simulated_llm.clear();
  bool own_agent = cfg.handlers.count("agent") > 0, own_prompt = cfg.handlers.count("prompt") > 0;
  if (own_agent && own_prompt) return;
  llm_handler_config llm;
  llm.providers = cfg.llm_providers;
  if (llm.providers.empty() && cfg.llm_from_environment)
    llm = llm_config_from_environment(cfg.llm_base_urls, cfg.llm_key_files);
  if (!llm.providers.empty()) {
    auto http = outbound_http::start();
    if (!own_prompt) o.handlers.emplace("prompt", spawn_llm_prompt_handler(sys, llm, http));
    if (!own_agent)
      o.handlers.emplace("agent", spawn_llm_agent_handler(sys, llm, http, o.handlers.at("command")));
    return;
  }
  if (!cfg.simulate_llm) {
    o.llm_unavailable = true;
    return;
  }
  auto simulated = spawn_simulated_llm_handler(sys);
  if (!own_prompt) o.handlers.emplace("prompt", simulated);
  if (!own_agent) o.handlers.emplace("agent", simulated);
  o.simulated_llm = own_prompt ? "agent" : own_agent ? "prompt" : "agent and prompt";
}

}  // namespace

run_options make_run_options(caf::actor_system& sys, const orchestrator_config& cfg) {
  run_options run_opts;
  run_opts.local_sandbox = cfg.local_sandbox;
  run_opts.retry_jitter = cfg.retry_jitter;
  run_opts.kill_grace_ms = cfg.kill_grace_ms;
  run_opts.sandbox = cfg.sandbox;
  run_opts.bwrap_path = cfg.bwrap_path;
  run_opts.sandbox_hidden = cfg.sandbox_hidden;
  run_opts.handlers = cfg.handlers;
  if (!run_opts.handlers.count("wait")) run_opts.handlers.emplace("wait", spawn_wait_handler(sys));
  if (!run_opts.handlers.count("human"))
    run_opts.handlers.emplace("human", spawn_human_handler(sys));
  if (!run_opts.handlers.count("command"))
    run_opts.handlers.emplace(
        "command", spawn_command_handler(sys, {cfg.kill_grace_ms, cfg.stage_records_dir}));
  add_llm_handlers(sys, cfg, run_opts);
  return run_opts;
}

}  // namespace fabro::actors
