#include "model/bench/bench_report.hpp"

#include "model/json_writer.hpp"

#include <cmath>
#include <cstdio>

namespace fabro::model {
namespace {

double per_second(uint64_t n, double seconds) { return seconds > 0 ? n / seconds : 0.0; }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, std::isfinite(v) ? v : 0.0);
  return buf;
}

// A JSON number with `digits` decimals ("0.210", not 0.20999999999999999).
void number(json_writer& w, std::string_view key, double v, int digits) {
  w.field_raw(key, fixed(v, digits));
}

void latency_json(json_writer& w, const latency_histogram& h) {
  w.key("latency_ms").begin_object();
  number(w, "p50", h.percentile(50) / 1e6, 3);
  number(w, "p90", h.percentile(90) / 1e6, 3);
  number(w, "p99", h.percentile(99) / 1e6, 3);
  number(w, "p999", h.percentile(99.9) / 1e6, 3);
  number(w, "max", h.max() / 1e6, 3);
  number(w, "mean", h.mean() / 1e6, 3);
  w.end_object();
}

std::string latency_line(const char* label, const latency_histogram& h) {
  return std::string(label) + "p50 " + format_ms(h.percentile(50)) + "  p90 " +
         format_ms(h.percentile(90)) + "  p99 " + format_ms(h.percentile(99)) + "  p99.9 " +
         format_ms(h.percentile(99.9)) + "  max " + format_ms(h.max()) + "\n";
}

}  // namespace

uint64_t load_counts::acknowledged() const {
  uint64_t n = 0;
  for (const auto& [code, count] : status_codes)
    if (code >= 200 && code <= 299) n += count;
  return n;
}

uint64_t load_counts::non_2xx() const {
  uint64_t answers = 0;
  for (const auto& entry : status_codes) answers += entry.second;
  return answers - acknowledged();
}

void load_counts::merge(const load_counts& o) {
  requests += o.requests;
  for (const auto& [code, n] : o.status_codes) status_codes[code] += n;
  socket_errors.add(o.socket_errors);
  latency_ns.merge(o.latency_ns);
}

uint64_t bench_report::errors() const {
  return counts.non_2xx() + counts.socket_errors.total() + (follow ? follow->unfinished : 0);
}

std::string format_ms(uint64_t ns) { return fixed(ns / 1e6, 3); }

std::string format_report_text(const bench_report& r) {
  const load_counts& c = r.counts;
  std::string out = r.target + "\n";
  out += "  " + std::string(r.rate > 0 ? "open loop at " + fixed(r.rate, 0) + " requests/s"
                                       : "closed loop") +
         ", " + std::to_string(r.connections) + " connections, " + std::to_string(r.threads) +
         (r.threads == 1 ? " thread" : " threads") + ", " + fixed(r.duration_s, 2) + " s\n";
  out += "  requests      " + std::to_string(c.requests) + "  (" +
         fixed(per_second(c.requests, r.duration_s), 1) + "/s)\n";
  out += "  acknowledged  " + std::to_string(c.acknowledged()) + "  (" +
         fixed(per_second(c.acknowledged(), r.duration_s), 1) + " runs/s)\n";
  out += "  status codes ";
  if (c.status_codes.empty()) out += " none";
  for (const auto& [code, n] : c.status_codes)
    out += " " + std::to_string(code) + ": " + std::to_string(n);
  const auto& e = c.socket_errors;
  out += "\n  socket errors " + std::to_string(e.total()) + "  (connect " +
         std::to_string(e.connect) + ", read " + std::to_string(e.read) + ", write " +
         std::to_string(e.write) + ", timeout " + std::to_string(e.timeout) + ", parse " +
         std::to_string(e.parse) + ")\n";
  out += latency_line("  latency ms    ", c.latency_ns);
  if (r.follow) {
    const auto& f = *r.follow;
    out += "  runs followed completed " + std::to_string(f.completed) + ", failed " +
           std::to_string(f.failed) + ", unfinished " + std::to_string(f.unfinished) + "  (" +
           fixed(per_second(f.completed + f.failed, f.duration_s), 1) + " ended runs/s)\n";
    out += latency_line("  run ms        ", f.latency_ns);
  }
  return out;
}

std::string format_report_json(const bench_report& r) {
  const load_counts& c = r.counts;
  json_writer w;
  w.begin_object();
  w.field("target", r.target).field("mode", r.rate > 0 ? "open" : "closed");
  w.field("connections", r.connections).field("threads", r.threads);
  if (r.rate > 0) number(w, "rate", r.rate, 1);
  else w.field_null("rate");
  number(w, "duration_s", r.duration_s, 3);
  w.field("requests", c.requests).field("acknowledged", c.acknowledged());
  number(w, "requests_per_second", per_second(c.requests, r.duration_s), 1);
  number(w, "runs_per_second", per_second(c.acknowledged(), r.duration_s), 1);
  w.key("status_codes").begin_object();
  for (const auto& [code, n] : c.status_codes) w.field(std::to_string(code), n);
  w.end_object();
  const auto& e = c.socket_errors;
  w.field("socket_errors", e.total());
  w.key("socket_error_kinds").begin_object();
  w.field("connect", e.connect).field("read", e.read).field("write", e.write);
  w.field("timeout", e.timeout).field("parse", e.parse);
  w.end_object();
  w.field("errors", r.errors());
  latency_json(w, c.latency_ns);
  if (r.follow) {
    const auto& f = *r.follow;
    w.key("follow").begin_object();
    w.field("completed", f.completed).field("failed", f.failed).field("unfinished", f.unfinished);
    number(w, "duration_s", f.duration_s, 3);
    number(w, "runs_per_second", per_second(f.completed + f.failed, f.duration_s), 1);
    latency_json(w, f.latency_ns);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

std::string format_progress(double elapsed_s, uint64_t requests, double per_second,
                            uint64_t errors, uint64_t p99_ns) {
  return "bench " + fixed(elapsed_s, 1) + " s  requests " + std::to_string(requests) + " (" +
         fixed(per_second, 0) + "/s)  errors " + std::to_string(errors) + "  p99 " +
         format_ms(p99_ns) + " ms";
}

}  // namespace fabro::model
