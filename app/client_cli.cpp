#include "app/client_cli.hpp"

#include <iostream>

#include "app/client_commands.hpp"

namespace fabro::app {

struct client_cli::state {
  connection_flags connection;
  submit_options submit;
  bool print_manifest = false;
  std::string id;
  CLI::App* submit_cmd = nullptr;
  CLI::App* status_cmd = nullptr;
  CLI::App* list_cmd = nullptr;
  CLI::App* events_cmd = nullptr;
  std::vector<std::pair<std::string, CLI::App*>> control_cmds;
};

client_cli::client_cli(CLI::App& app) : s_(std::make_unique<state>()) {
  auto& s = *s_;
  s.submit_cmd = app.add_subcommand("submit", "Submit a .fabro workflow as a run (and start it)");
  s.submit_cmd->add_option("path", s.submit.manifest.workflow_file, "The .fabro file")->required();
  s.submit_cmd->add_option("--goal", s.submit.manifest.goal, "Goal text");
  s.submit_cmd->add_flag("--dry-run", s.submit.manifest.dry_run, "Simulate every stage");
  s.submit_cmd->add_flag("--auto-approve", s.submit.manifest.auto_approve, "Approve human gates");
  s.submit_cmd->add_option("--label", s.submit.manifest.labels, "Label k=v (repeatable)");
  s.submit_cmd->add_flag("--no-start", s.submit.no_start, "Create the run without starting it");
  s.submit_cmd->add_flag("--follow", s.submit.follow, "Show progress until the run ends");
  s.submit_cmd->add_flag("--print-manifest", s.print_manifest,
                         "Print the manifest that would be sent, and send nothing");
  s.connection.add_to(s.submit_cmd);

  s.status_cmd = app.add_subcommand("status", "Show a run");
  s.status_cmd->add_option("id", s.id, "Run ID")->required();
  s.connection.add_to(s.status_cmd);
  s.list_cmd = app.add_subcommand("list", "List runs, newest first");
  s.connection.add_to(s.list_cmd);
  s.events_cmd = app.add_subcommand("events", "Print a run's events, one JSON line each");
  s.events_cmd->add_option("id", s.id, "Run ID")->required();
  s.connection.add_to(s.events_cmd);
  for (const char* action : {"cancel", "pause", "unpause"}) {
    auto* cmd = app.add_subcommand(action, std::string("Ask a run to ") + action);
    cmd->add_option("id", s.id, "Run ID")->required();
    s.connection.add_to(cmd);
    s.control_cmds.emplace_back(action, cmd);
  }
}

client_cli::~client_cli() = default;

std::optional<int> client_cli::run() {
  auto& s = *s_;
  if (s.submit_cmd->parsed()) {
    if (s.print_manifest) {
      auto m = build_manifest(s.submit.manifest);
      if (!m) {
        std::cerr << "error: " << m.error().detail << "\n";
        return 2;
      }
      std::cout << m->json << "\n";
      return 0;
    }
    return submit_command(s.connection.resolve(), s.submit);
  }
  if (s.status_cmd->parsed()) return status_command(s.connection.resolve(), s.id);
  if (s.list_cmd->parsed()) return list_command(s.connection.resolve());
  if (s.events_cmd->parsed()) return events_command(s.connection.resolve(), s.id);
  for (auto& [action, cmd] : s.control_cmds)
    if (cmd->parsed()) return control_command(s.connection.resolve(), action, s.id);
  return std::nullopt;
}

}  // namespace fabro::app
