// The load generator's engine (`fabro-orchestrator bench`): sends one
// prepared request over and over on N keep-alive HTTP/1.1 connections and
// measures each answer (issue 15).
//
// Each load thread (1 or 2) owns its share of the connections and one
// epoll set; sockets are non-blocking, a timerfd wakes the thread when the
// next open-loop request is due. No pipelining: one request in flight per
// connection.
//   * Closed loop (rate 0): a connection sends the next request as soon as
//     the previous answer arrived; latency runs from the send.
//   * Open loop (rate R): request j is due j/R s after the start
//     (model/bench/open_loop_schedule.hpp) and goes out on the next free
//     connection; latency runs from the due time, so a request that waited
//     for a connection counts the wait (coordinated omission).
// Every request ends in one answer or one socket error (connect, read,
// write, timeout, parse); a failed connection is reopened 50 ms later.
// With `max_requests` the load ends when that many requests ended; else
// at `duration` (requests due before it are still sent; what has no answer
// within `timeout` after the end counts as timeouts). When no connection
// could be made and no answer came for 3 s, it gives up (`fatal`).
//
// Thread-safety: run_load() blocks the calling thread, which reports
// progress; the load threads share only load_progress and the tracker.
#pragma once

#include "app/bench/run_tracker.hpp"
#include "model/bench/bench_report.hpp"
#include "model/bench/latency_histogram.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace fabro::app {

// CLOCK_MONOTONIC in nanoseconds: the time base of the load and of the
// run tracker.
uint64_t monotonic_ns();

struct load_config {
  sockaddr_storage address{};  // the server (IPv4 or IPv6)
  socklen_t address_len = 0;
  std::string request;         // the whole request, sent as is each time
  uint64_t connections = 1;    // >= threads
  uint64_t threads = 1;        // 1 or 2
  uint64_t max_requests = 0;   // end after this many requests; 0 = at duration
  std::chrono::nanoseconds duration{0};  // used when max_requests == 0
  double rate = 0;             // open loop: requests per second; 0 = closed loop
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  // per request
  run_tracker* tracker = nullptr;  // set: the run id of each 2xx answer goes there
};

struct load_result {
  model::load_counts counts;
  std::vector<std::string> examples;  // the first errors: "HTTP 401: <body start>", "read: …"
  uint64_t start_ns = 0;              // monotonic_ns() when the load began
  double duration_s = 0;              // until the last request ended
  std::string fatal;                  // set: the server could not be reached (why)
};

// What the load threads publish for the progress line, about once a second.
class load_progress {
 public:
  explicit load_progress(size_t threads) : latest_(threads) {}
  std::atomic<uint64_t> requests{0};  // requests ended so far
  std::atomic<uint64_t> errors{0};    // non-2xx answers + socket errors so far
  // Thread `t`'s histogram so far (copied under a lock).
  void publish(size_t t, const model::latency_histogram& h);
  // The p99 of every thread's last published histogram.
  uint64_t p99_ns();

 private:
  std::mutex m_;
  std::vector<model::latency_histogram> latest_;
};

// Called on run_load's thread about once a second while the load runs.
using progress_fn = std::function<void(double elapsed_s, load_progress& progress)>;

// Runs the load until it ends or `stop` becomes true (no new request is
// sent then; those in flight are awaited up to the timeout). Never throws.
load_result run_load(const load_config& cfg, const std::atomic<bool>& stop,
                     const progress_fn& on_progress = {});

}  // namespace fabro::app
