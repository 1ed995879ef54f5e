// `fabro-orchestrator bench`: a load generator that speaks the run API
// (issue 15). POSTs a manifest to /api/v1/runs over N keep-alive
// connections, closed loop or at a constant rate (open loop, latency from
// each request's due time), optionally follows every run to its end, and
// reports requests, runs/s, status codes, socket errors and latency
// percentiles as text or one JSON object (--json).
//
// Exit codes: 0 no errors (or --allow-errors); 1 non-2xx answers, socket
// errors or runs not seen to end; 2 bad usage or an unreadable manifest;
// 3 the server cannot be reached; 130 interrupted.
#pragma once

#include "app/client_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace fabro::app {

struct bench_options {
  connection_flags connection;  // --server, --token, --data-dir
  std::string workflow_file;    // positional PATH.fabro
  std::string manifest_file;    // --manifest FILE (JSON, or a .fabro)
  bool dry_run = false;         // --dry-run: a .fabro manifest simulates its stages
  uint64_t connections = 16;    // --connections
  uint64_t threads = 1;         // --threads: load threads, 1 or 2
  double duration_s = 0;        // --duration; 0 = 10 s unless --runs
  uint64_t runs = 0;            // --runs: stop after this many requests ended
  double rate = 0;              // --rate: open loop, requests/s; 0 = closed loop
  double warmup_s = 0;          // --warmup: load first, not measured
  double timeout_s = 30;        // --timeout: per request (and run, with --follow)
  bool start = false;           // --start: POST ...?start=true
  bool follow = false;          // --follow: follow every run to its end (implies --start)
  bool json = false;            // --json: the report as one JSON object on stdout
  bool allow_errors = false;    // --allow-errors: exit 0 despite errors
};

// Registers the `bench` subcommand on the binary's CLI11 app.
class bench_cli {
 public:
  explicit bench_cli(CLI::App& app);
  // The exit code when `bench` was parsed and run; nullopt otherwise.
  std::optional<int> run();

 private:
  CLI::App* cmd_ = nullptr;
  bench_options opts_;
};

// Runs the benchmark (see the exit codes above); the report goes to
// stdout, progress (on a terminal), errors and their examples to stderr.
int bench_command(const bench_options& opts);

}  // namespace fabro::app
