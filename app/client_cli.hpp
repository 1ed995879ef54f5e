// Registers the client subcommands (submit, status, list, cancel, pause,
// unpause, events) on the binary's CLI11 app and runs the one parsed.
// Server URL: --server, else FABRO_SERVER, else http://127.0.0.1:32276.
// Token: --token, else FABRO_DEV_TOKEN, else FABRO_TOKEN (a JWT), else the
// dev-token file of a server on this machine (--data-dir, default
// fabro-data).
#pragma once

#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

namespace fabro::app {

class client_cli {
 public:
  explicit client_cli(CLI::App& app);
  ~client_cli();
  // The exit code of the client command that was parsed, or nullopt when
  // none was (another subcommand ran).
  std::optional<int> run();

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace fabro::app
