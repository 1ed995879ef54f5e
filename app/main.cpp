// fabro-orchestrator: the server (`serve`) and, later, client commands.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/bench/bench_command.hpp"
#include "app/serve.hpp"
#include "app/serve_config.hpp"
#include "app/client_cli.hpp"
#include "app/validate_command.hpp"

namespace {

// A configuration error: one line on stderr, exit code 2, nothing started.
int config_error(const std::string& message) {
  std::cerr << "fabro-orchestrator: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait in serve(); block them before any thread
  // exists so every thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App cli{"fabro-orchestrator: a durable, actor-based Fabro run orchestrator"};
  cli.require_subcommand(1);

  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP API server");
  std::string config_path, bind, data_dir, auth, sandbox, store, node_id, cluster_endpoint;
  int threads = 0;
  uint64_t max_concurrent_runs = 0;
  serve_cmd->add_option("--config", config_path, "YAML configuration file");
  serve_cmd->add_option("--bind", bind, "Listen address HOST:PORT (default 127.0.0.1:32276)");
  serve_cmd->add_option("--data-dir", data_dir, "Directory of the run store (default fabro-data)");
  serve_cmd->add_option("--store", store,
                        "Where runs are kept: sqlite:PATH (default sqlite:DATA_DIR/runs.db) or "
                        "postgresql://user@host:port/database");
  serve_cmd->add_option("--node-id", node_id,
                        "This server's name among the nodes of a PostgreSQL store "
                        "(default HOSTNAME-PID)");
  serve_cmd->add_option("--cluster-endpoint", cluster_endpoint,
                        "PostgreSQL store: where this server listens for the other nodes "
                        "while it is the queue authority, HOST:PORT (default 127.0.0.1:0)");
  serve_cmd->add_option("--threads", threads, "HTTP threads (default 2)");
  serve_cmd->add_option("--auth", auth, "Authentication: dev-token (default), jwt, none");
  serve_cmd->add_option("--max-concurrent-runs", max_concurrent_runs,
                        "Runs starting/running at once (default 5; 0 starts none)");
  serve_cmd->add_option("--sandbox", sandbox,
                        "Where command stages run: local (default) or bubblewrap");
  bool simulate_llm = false;
  serve_cmd->add_flag("--simulate-llm", simulate_llm,
                      "With no model provider configured, simulate agent and prompt stages "
                      "instead of failing their runs");
  auto* validate_cmd = cli.add_subcommand("validate", "Check a .fabro workflow file");
  std::string workflow_file;
  validate_cmd->add_option("path", workflow_file, "The .fabro file")->required();

  fabro::app::client_cli clients(cli);  // submit, status, list, cancel, ...
  fabro::app::bench_cli bench(cli);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (auto code = clients.run()) return *code;
  if (auto code = bench.run()) return *code;
  if (validate_cmd->parsed())
    return fabro::app::validate_command(workflow_file, std::cout, std::cerr);
  if (serve_cmd->parsed()) {
    fabro::app::serve_config cfg;
    if (!config_path.empty())
      if (auto r = fabro::app::load_yaml_config(config_path, cfg); !r)
        return config_error(r.error().detail);
    if (!bind.empty())
      if (auto r = fabro::app::parse_bind(bind, cfg); !r) return config_error(r.error().detail);
    if (!data_dir.empty()) cfg.data_dir = data_dir;
    if (!store.empty()) cfg.store = store;
    if (!node_id.empty()) cfg.node_id = node_id;
    if (!cluster_endpoint.empty()) cfg.cluster_endpoint = cluster_endpoint;
    if (serve_cmd->count("--threads")) cfg.threads = threads;
    if (!auth.empty()) cfg.auth_mode = auth;
    if (!sandbox.empty()) cfg.sandbox = sandbox;
    if (simulate_llm) cfg.simulate_llm = true;
    if (serve_cmd->count("--max-concurrent-runs")) cfg.max_concurrent_runs = max_concurrent_runs;
    if (auto r = fabro::app::check_config(cfg); !r) return config_error(r.error().detail);
    return fabro::app::serve(cfg);
  }
  return 0;
}
