#include "app/client_commands.hpp"

#include "app/interrupt.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <simdjson.h>

namespace fabro::app {
namespace {

// Prints a refused or failed call as one line; returns the exit code.
int report(const model::problem& p) {
  std::cerr << "error: " << p.detail << "\n";
  return p.code == model::errc::unavailable ? 3 : 1;
}

int report(const client_response& r) {
  std::cerr << "error: " << error_detail(r) << "\n";
  return 1;
}

std::string field(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (!e[key].get(v)) return std::string(v);
  int64_t n;
  if (!e[key].get(n)) return std::to_string(n);
  uint64_t u;
  if (!e[key].get(u)) return std::to_string(u);
  return "";
}

std::string format_duration(const std::string& ms_text) {
  if (ms_text.empty()) return "";
  double ms = std::stod(ms_text);
  char buf[32];
  if (ms < 1000) std::snprintf(buf, sizeof buf, "%.0fms", ms);
  else std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000);
  return buf;
}

// Runs a call and prints the JSON body on success.
int print_call(const client_options& client, const std::string& method, const std::string& path,
               int ok_status) {
  auto r = http_call(client, method, path);
  if (!r) return report(r.error());
  if (r->status != ok_status) return report(*r);
  std::cout << r->body << "\n";
  return 0;
}

}  // namespace

std::string progress_line(const std::string& envelope) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(envelope).get(e)) return "";
  auto name = field(e, "event");
  simdjson::dom::element props;
  bool has_props = !e["properties"].get(props);
  auto prop = [&](const char* k) { return has_props ? field(props, k) : std::string(); };
  auto node = field(e, "node_id");
  if (name == "stage.completed" || name == "stage.failed") {
    auto outcome = prop("status");
    if (outcome.empty()) outcome = name == "stage.completed" ? "succeeded" : "failed";
    auto d = format_duration(prop("duration_ms"));
    return std::string(name == "stage.completed" ? "✓ " : "✗ ") + node + "  " + outcome +
           (d.empty() ? "" : "  " + d);
  }
  if (name == "stage.retrying") return "↻ " + node + "  retrying";
  if (name == "run.blocked") return "⏸ " + node + "  waiting for an answer";
  if (name == "run.paused") return "⏸ run paused";
  if (name == "run.unpaused") return "▶ run unpaused";
  if (name == "run.completed") return "run completed " + format_duration(prop("duration_ms"));
  if (name == "run.failed") {
    auto reason = prop("reason");
    return "run failed" + (reason.empty() ? "" : " (" + reason + ")") +
           (prop("error").empty() ? "" : ": " + prop("error"));
  }
  return "";
}

int submit_command(const client_options& client, const submit_options& opts) {
  auto manifest = build_manifest(opts.manifest);
  if (!manifest) {
    std::cerr << "error: " << manifest.error().detail << "\n";
    return 2;
  }
  auto created = http_call(client, "POST", "/api/v1/runs", manifest->json);
  if (!created) return report(created.error());
  if (created->status != 201 && created->status != 200) return report(*created);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(created->body).get(doc)) return report(*created);
  auto id = field(doc, "id");
  std::cout << "run " << id << " submitted\n";
  if (opts.no_start) return 0;
  auto started = http_call(client, "POST", "/api/v1/runs/" + id + "/start");
  if (!started) return report(started.error());
  if (started->status != 200) return report(*started);
  simdjson::dom::element st;
  if (!parser.parse(started->body).get(st)) {
    auto pos = field(st, "queue_position");
    std::cout << "run " << id << " " << field(st, "status")
              << (pos.empty() ? "" : " (position " + pos + ")") << "\n";
  }
  if (!opts.follow) return 0;

  // Ctrl-C: ask on a terminal, cancel otherwise.
  watch_interrupts(false);

  int exit_code = 1;
  bool finished = false;
  auto followed = follow_sse(
      client, "/api/v1/runs/" + id + "/attach?since_seq=1",
      [&](const std::string& envelope) {
        auto line = progress_line(envelope);
        if (!line.empty()) std::cout << line << std::endl;
        if (envelope.find("\"event\":\"run.completed\"") != std::string::npos) {
          exit_code = 0;
          finished = true;
        } else if (envelope.find("\"event\":\"run.failed\"") != std::string::npos) {
          finished = true;
        }
        return !finished;
      },
      [] { return interrupted(); });
  if (!followed) return report(followed.error());
  if (finished) return exit_code;
  if (interrupted()) {
    bool cancel = true;
    if (isatty(STDIN_FILENO)) {
      std::cerr << "\nCancel run " << id << "? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      cancel = !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
    }
    if (!cancel) return 130;
    return control_command(client, "cancel", id) == 0 ? 1 : 1;
  }
  std::cerr << "error: the event stream ended before the run finished\n";
  return 1;
}

int status_command(const client_options& client, const std::string& id) {
  return print_call(client, "GET", "/api/v1/runs/" + id, 200);
}

int list_command(const client_options& client) {
  auto r = http_call(client, "GET", "/api/v1/runs");  // every run, newest first
  if (!r) return report(r.error());
  if (r->status != 200) return report(*r);
  simdjson::dom::parser parser;
  simdjson::dom::array data;
  if (parser.parse(r->body).get(data)) return report(*r);
  std::printf("%-26s  %-10s  %-16s  %s\n", "ID", "STATUS", "REASON", "WORKFLOW");
  for (auto run : data)
    std::printf("%-26s  %-10s  %-16s  %s\n", field(run, "id").c_str(), field(run, "status").c_str(),
                field(run, "status_reason").c_str(), field(run, "workflow_name").c_str());
  return 0;
}

int control_command(const client_options& client, const std::string& action,
                    const std::string& id) {
  return print_call(client, "POST", "/api/v1/runs/" + id + "/" + action, 200);
}

int events_command(const client_options& client, const std::string& id) {
  uint64_t since = 1;
  for (;;) {
    auto r = http_call(client, "GET",
                       "/api/v1/runs/" + id + "/events?since_seq=" + std::to_string(since) +
                           "&limit=1000");
    if (!r) return report(r.error());
    if (r->status != 200) return report(*r);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array data;
    bool more = false;
    if (parser.parse(r->body).get(doc) || doc["data"].get(data)) return report(*r);
    for (auto e : data) {
      std::cout << simdjson::minify(e) << "\n";
      uint64_t seq = 0;
      if (!e["seq"].get(seq)) since = seq + 1;
    }
    if (doc["meta"]["has_more"].get(more) || !more) return 0;
  }
}

}  // namespace fabro::app
