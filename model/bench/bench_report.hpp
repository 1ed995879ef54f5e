// What `fabro-orchestrator bench` measured, and its two renderings: the
// text report for people and the one-object JSON report (--json) for
// scripts (benchmarks/submit_bench.sh -g bench reads it).
//
// Invariant the load loop keeps: every request ends in exactly one answer
// (counted in status_codes) or one socket error, so in load_counts
// requests == sum(status_codes) + socket_errors.total().
//
// Plain values; the formatting functions are pure.
#pragma once

#include "model/bench/latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace fabro::model {

struct socket_error_counts {
  uint64_t connect = 0;  // connecting failed (refused, unreachable, reset)
  uint64_t read = 0;     // the connection failed or closed before the answer
  uint64_t write = 0;    // sending the request failed
  uint64_t timeout = 0;  // no answer within the timeout (or never sent)
  uint64_t parse = 0;    // the answer was not valid HTTP/1.1
  uint64_t total() const { return connect + read + write + timeout + parse; }
  void add(const socket_error_counts& o) {
    connect += o.connect, read += o.read, write += o.write, timeout += o.timeout, parse += o.parse;
  }
};

// What a load measured; each load thread counts its own, merged at the end.
struct load_counts {
  uint64_t requests = 0;                 // requests attempted (answers + socket errors)
  std::map<int, uint64_t> status_codes;  // every answer by HTTP status
  socket_error_counts socket_errors;
  latency_histogram latency_ns;          // one value per answer

  uint64_t acknowledged() const;         // 2xx answers
  uint64_t non_2xx() const;              // answers outside 2xx
  void merge(const load_counts& o);
};

// End-to-end results of --follow: from each request's start (its due time
// in an open loop) to its run's run.completed / run.failed event.
struct follow_report {
  uint64_t completed = 0;   // acknowledged runs that ended run.completed
  uint64_t failed = 0;      // ... that ended run.failed
  uint64_t unfinished = 0;  // ... with no end seen before following stopped
  double duration_s = 0;    // from the load's start to the last run's end
  latency_histogram latency_ns;
};

struct bench_report {
  std::string target;         // "POST http://host:port/api/v1/runs"
  uint64_t connections = 0;
  uint64_t threads = 0;
  double rate = 0;            // requests/s of an open loop; 0 = closed loop
  double duration_s = 0;      // measured wall time, until the last answer
  load_counts counts;
  std::optional<follow_report> follow;

  // Non-2xx answers + socket errors (+ unfinished followed runs).
  uint64_t errors() const;
};

// Milliseconds with three decimals, e.g. "12.345".
std::string format_ms(uint64_t ns);

// Several lines, each ending in "\n".
std::string format_report_text(const bench_report& r);

// One JSON object without a trailing newline:
// {"target","mode":"closed"|"open","connections","threads","rate"(null in a
//  closed loop),"duration_s","requests","acknowledged","requests_per_second",
//  "runs_per_second","status_codes":{"201":n,...},"socket_errors":n,
//  "socket_error_kinds":{"connect","read","write","timeout","parse"},
//  "errors","latency_ms":{"p50","p90","p99","p999","max","mean"},
//  "follow":{"completed","failed","unfinished","duration_s",
//            "runs_per_second","latency_ms":{...}} (only with --follow)}
std::string format_report_json(const bench_report& r);

// The one-line progress summary shown once a second on a terminal:
// "bench  3.0 s  requests 1234 (410/s)  errors 0  p99 12.345 ms".
std::string format_progress(double elapsed_s, uint64_t requests, double per_second,
                            uint64_t errors, uint64_t p99_ns);

}  // namespace fabro::model
