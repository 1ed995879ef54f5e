#include "app/bench/bench_command.hpp"

#include "app/bench/bench_target.hpp"
#include "app/bench/load_loop.hpp"
#include "app/bench/run_follower.hpp"
#include "app/interrupt.hpp"
#include "model/bench/bench_report.hpp"

#include <unistd.h>

#include <iostream>
#include <sstream>
#include <thread>

namespace fabro::app {
namespace {

int usage(const std::string& message) {
  std::cerr << "bench: " << message << "\n";
  return 2;
}

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::nanoseconds(static_cast<int64_t>(s * 1e9));
}

// Waits until every acknowledged run was seen to end, the stream is lost,
// Ctrl-C, or no run ended for `timeout_s`.
void await_runs(const run_tracker& tracker, const run_follower& follower, double timeout_s,
                bool tty) {
  uint64_t quiet_since = monotonic_ns();
  uint64_t last = tracker.last_end_ns(), next_line = quiet_since + 1000000000ull;
  while (tracker.unfinished() > 0 && !follower.lost() && !interrupted()) {
    uint64_t now = monotonic_ns();
    if (tracker.last_end_ns() != last) last = tracker.last_end_ns(), quiet_since = now;
    if (now - quiet_since > static_cast<uint64_t>(timeout_s * 1e9)) break;
    if (tty && now >= next_line) {
      std::cerr << "\r\033[Kbench following: " << tracker.unfinished() << " runs not ended yet"
                << std::flush;
      next_line += 1000000000ull;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (tty) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace

bench_cli::bench_cli(CLI::App& app) {
  auto& o = opts_;
  cmd_ = app.add_subcommand("bench", "Load-test POST /api/v1/runs and report latency and runs/s");
  cmd_->add_option("path", o.workflow_file, "A .fabro workflow to submit (default: a tiny built-in manifest)");
  auto* manifest = cmd_->add_option("--manifest", o.manifest_file,
                                    "The manifest to POST: a JSON file, or a .fabro file");
  manifest->excludes(cmd_->get_option("path"));
  cmd_->add_flag("--dry-run", o.dry_run, "With a .fabro file: simulate every stage");
  cmd_->add_option("--connections,-c", o.connections, "Connections (default 16)");
  cmd_->add_option("--threads", o.threads, "Load threads, 1 or 2 (default 1)");
  auto* duration = cmd_->add_option("--duration,-d", o.duration_s, "Seconds to run (default 10)");
  auto* runs = cmd_->add_option("--runs,-n", o.runs, "Stop after COUNT requests, all answered");
  duration->excludes(runs);
  cmd_->add_option("--rate,-R", o.rate, "Open loop: requests per second (default: closed loop)");
  cmd_->add_option("--warmup", o.warmup_s, "Seconds of unmeasured load first (default 0)");
  cmd_->add_option("--timeout", o.timeout_s, "Seconds to wait for an answer (default 30)");
  cmd_->add_flag("--start", o.start, "Create and queue: POST /api/v1/runs?start=true");
  cmd_->add_flag("--follow", o.follow, "Follow every run to its end (implies --start)");
  cmd_->add_flag("--json", o.json, "Print the report as one JSON object");
  cmd_->add_flag("--allow-errors", o.allow_errors, "Exit 0 even with non-2xx answers or errors");
  o.connection.add_to(cmd_);
}

std::optional<int> bench_cli::run() {
  if (!cmd_->parsed()) return std::nullopt;
  return bench_command(opts_);
}

int bench_command(const bench_options& in) {
  bench_options o = in;
  if (o.connections == 0) return usage("--connections must be at least 1");
  if (o.threads < 1 || o.threads > 2) return usage("--threads must be 1 or 2");
  if (o.rate < 0 || o.duration_s < 0 || o.warmup_s < 0 || o.timeout_s <= 0)
    return usage("--rate, --duration, --warmup and --timeout must be positive");
  if (o.runs == 0 && o.duration_s == 0) o.duration_s = 10;
  o.threads = std::min(o.threads, o.connections);
  o.start = o.start || o.follow;  // a run that is not started never ends
  auto body = bench_body(o.manifest_file, o.workflow_file, o.dry_run);
  if (!body) return usage(body.error().detail);

  auto client = o.connection.resolve();
  auto server = reach_server(client);
  if (!server) {
    std::cerr << "bench: " << server.error().detail << "\n";
    return server.error().code == model::errc::unavailable ? 3 : 2;
  }
  load_config cfg;
  cfg.address = server->address;
  cfg.address_len = server->address_len;
  cfg.request = post_runs_request(*server, client.token, *body, o.start);
  cfg.connections = o.connections;
  cfg.threads = o.threads;
  cfg.rate = o.rate;
  cfg.timeout = seconds(o.timeout_s);
  std::string target = "POST " + client.server + "/api/v1/runs" + (o.start ? "?start=true" : "");
  std::ostringstream plan;  // default double formatting: "10", "2.5"
  plan << "bench: " << target << ", " << o.connections << " connections, ";
  if (o.rate > 0) plan << "open loop at " << o.rate << " requests/s, ";
  else plan << "closed loop, ";
  if (o.runs) plan << o.runs << " requests";
  else plan << o.duration_s << " s";
  plan << ", " << body->size() << "-byte manifest\n";
  std::cerr << plan.str();
  watch_interrupts(true);  // Ctrl-C ends the load, the report is printed; twice kills
  bool tty = isatty(STDERR_FILENO);

  if (o.warmup_s > 0) {
    load_config warm = cfg;
    warm.duration = seconds(o.warmup_s);
    auto w = run_load(warm, interrupt_flag());
    if (!w.fatal.empty()) {
      std::cerr << "bench: cannot reach the server at " << client.server << ": " << w.fatal << "\n";
      return 3;
    }
  }

  run_tracker tracker;
  run_follower follower(tracker);
  if (o.follow) {
    if (auto f = follower.start(server->address, server->address_len,
                                attach_request(*server, client.token));
        !f) {
      std::cerr << "bench: --follow: " << f.error().detail << "\n";
      return 1;
    }
    cfg.tracker = &tracker;
  }
  cfg.max_requests = o.runs;
  cfg.duration = seconds(o.duration_s);
  auto progress = [&](double elapsed, load_progress& p) {
    uint64_t n = p.requests.load();
    std::cerr << "\r\033[K" << model::format_progress(elapsed, n, elapsed > 0 ? n / elapsed : 0,
                                                      p.errors.load(), p.p99_ns())
              << std::flush;
  };
  auto load = run_load(cfg, interrupt_flag(), tty ? progress_fn(progress) : progress_fn());
  if (tty) std::cerr << "\r\033[K" << std::flush;

  model::bench_report report;
  if (o.follow) {
    await_runs(tracker, follower, o.timeout_s, tty);
    follower.stop();
    if (follower.lost() && tracker.unfinished() > 0)
      std::cerr << "bench: --follow: " << follower.why_lost() << "\n";
    report.follow = tracker.report(load.start_ns);
  }
  report.target = target;
  report.connections = o.connections;
  report.threads = o.threads;
  report.rate = o.rate;
  report.duration_s = load.duration_s;
  report.counts = std::move(load.counts);

  if (o.json) std::cout << model::format_report_json(report) << "\n";
  else std::cout << model::format_report_text(report);
  std::cout.flush();
  if (!load.examples.empty()) {
    std::cerr << "bench: first errors:\n";
    for (const auto& e : load.examples) std::cerr << "  " << e << "\n";
  }
  if (!load.fatal.empty()) {
    std::cerr << "bench: gave up: cannot reach the server at " << client.server << ": "
              << load.fatal << "\n";
    return 3;
  }
  if (interrupted()) return 130;
  if (report.errors() > 0 && !o.allow_errors) {
    std::cerr << "bench: " << report.errors() << " errors\n";
    return 1;
  }
  return 0;
}

}  // namespace fabro::app
