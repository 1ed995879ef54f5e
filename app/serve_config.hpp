// Configuration of `fabro-orchestrator serve` (DESIGN §7): defaults, then
// the YAML file (--config), then command-line flags. Every key is optional.
//
// YAML keys (flags have the same names with '-' for '_'):
//   bind: "127.0.0.1:32276"   listen address HOST:PORT (IPv6 as [::1]:PORT)
//   data_dir: "fabro-data"    where the SQLite store lives (created if missing)
//   threads: 2                HTTP threads
//   actor_threads: 2          CAF scheduler threads
//   max_body_bytes: 2097152   larger POST bodies answer 413
//   log_level: "info"         error | warn | info | debug
#pragma once

#include <cstdint>
#include <string>

#include "model/result.hpp"

namespace fabro::app {

struct serve_config {
  std::string host = "127.0.0.1";
  uint16_t port = 32276;
  std::string data_dir = "fabro-data";
  int threads = 2;
  int actor_threads = 2;
  uint64_t max_body_bytes = 2u << 20;
  std::string log_level = "info";
};

// Applies the YAML file at `path` over `cfg`. Fails with
// errc::invalid_request and a one-line message naming the file, the key
// and the line: "config.yaml:3: threads: expected a positive integer".
model::result<model::done> load_yaml_config(const std::string& path, serve_config& cfg);

// Parses "HOST:PORT" (or "[v6]:PORT", or "HOST" for the default port)
// into cfg.host/cfg.port. Fails with a message naming the value.
model::result<model::done> parse_bind(const std::string& text, serve_config& cfg);

// Checks ranges: threads 1..64, actor_threads 1..64, max_body_bytes >= 1024,
// log_level known. Fails naming the key.
model::result<model::done> check_config(const serve_config& cfg);

}  // namespace fabro::app
