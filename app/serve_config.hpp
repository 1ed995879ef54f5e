// Configuration of `fabro-orchestrator serve` (DESIGN §7): defaults, then
// the YAML file (--config), then command-line flags. Every key is optional.
//
// YAML keys (flags have the same names with '-' for '_'):
//   bind: "127.0.0.1:32276"   listen address HOST:PORT (IPv6 as [::1]:PORT)
//   data_dir: "fabro-data"    the SQLite store (unless `store` says otherwise),
//                             the dev token and stage records (created if missing)
//   store: ""                 where runs are kept: "" = sqlite:DATA_DIR/runs.db;
//                             sqlite:PATH; or postgresql://user@host:port/db
//                             (a database several servers may share; its
//                             password from the URL or PGPASSWORD/.pgpass)
//   node_id: ""               PostgreSQL: this server's name among the nodes
//                             of the store ("" = HOSTNAME-PID)
//   cluster_endpoint: "127.0.0.1:0"  PostgreSQL: where this server, as the
//                             queue authority, listens for the other nodes
//                             (CAF, unauthenticated: a private network only;
//                             port 0 = any free port, published in the store)
//   threads: 2                HTTP threads
//   actor_threads: 2          CAF scheduler threads
//   max_body_bytes: 2097152   larger request bodies answer 413
//   max_header_bytes: 16384   larger request line + headers answer 413
//   max_connections: 1024     more open connections get 503; 0 = no cap
//   sse_keepalive_ms: 15000   idle SSE streams get a comment this often
//   header_timeout_ms: 60000  a request not complete this long after its
//                             first byte is closed; 0 = never
//   idle_timeout_ms: 75000    a connection with no request for this long is
//                             closed; 0 = never
//   log_level: "info"         error | warn | info | debug
//   auth_mode: "dev-token"    dev-token | jwt | none (http/auth.hpp)
//   jwt_public_key_file: ""   jwt: Ed25519 public key PEM file, used when
//                             FABRO_JWT_PUBLIC_KEY is not set
//   jwt_issuer: "fabro-web"   jwt: required `iss`
//   allowed_usernames: []     jwt: logins let in (a YAML list); empty = none
//   max_concurrent_runs: 5    runs starting/running at once; 0 starts none
//   max_queued_runs: 0        queued runs beyond it answer 429; 0 = no limit
//   local_sandbox: true       false: dry_run=false runs fail launch_failed
//                             instead of running commands on this host
//   sandbox: "local"          local | bubblewrap: every command stage runs
//                             under bwrap (own PID/IPC/mount namespaces,
//                             read-only host, only its working directory
//                             writable, data directory hidden); serve
//                             refuses to start if bwrap cannot run here
//   simulate_llm: false       true: with no model provider configured, agent
//                             and prompt stages are simulated instead of
//                             failing the run's precondition
//   llm_provider: ""          openai | anthropic: the last layer of a stage's
//   llm_model: ""             provider and model choice (issue 17)
//   openai_base_url: ""       replaces https://api.openai.com/v1 (vLLM,
//                             llama.cpp, Ollama); OPENAI_BASE_URL wins
//   anthropic_base_url: ""    replaces https://api.anthropic.com;
//                             ANTHROPIC_BASE_URL wins
//   openai_api_key_file: ""   a file whose first line is the key, read when
//   anthropic_api_key_file: "" OPENAI_API_KEY / ANTHROPIC_API_KEY is not set
// Provider keys come from the environment or those files, never this file.
// Secrets never sit in this file: the dev token comes from FABRO_DEV_TOKEN
// or data_dir/dev-token, the JWT key from FABRO_JWT_PUBLIC_KEY or the
// PEM file (app/serve.cpp resolves them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/result.hpp"

namespace fabro::app {

struct serve_config {
  std::string host = "127.0.0.1";
  uint16_t port = 32276;
  std::string data_dir = "fabro-data";
  std::string store;  // "" = sqlite:DATA_DIR/runs.db (store_location)
  std::string node_id;  // this server among those sharing a PostgreSQL store; "" = HOSTNAME-PID
  std::string cluster_endpoint = "127.0.0.1:0";  // HOST:PORT (split_endpoint)
  int threads = 2;
  int actor_threads = 2;
  uint64_t max_body_bytes = 2u << 20;
  uint64_t max_header_bytes = 16u << 10;
  uint64_t max_connections = 1024;
  uint64_t sse_keepalive_ms = 15000;  // idle SSE streams get a comment this often
  uint64_t header_timeout_ms = 60000;  // http_config: slow request heads are closed
  uint64_t idle_timeout_ms = 75000;    // http_config: idle connections are closed
  std::string log_level = "info";
  std::string auth_mode = "dev-token";
  std::string jwt_public_key_file;
  std::string jwt_issuer = "fabro-web";
  std::vector<std::string> allowed_usernames;
  uint64_t max_concurrent_runs = 5;  // runs holding a slot (starting/running)
  uint64_t max_queued_runs = 0;      // beyond it start/create?start=true → 429; 0 = none
  bool local_sandbox = true;         // run command stages of dry_run=false runs
  std::string sandbox = "local";     // local | bubblewrap (model/engine/sandbox_isolation.hpp)
  bool simulate_llm = false;         // no provider: simulate LLM stages, not fail
  std::string llm_provider;          // the server's default provider ("" = inferred)
  std::string llm_model;             // the server's default model ("" = the provider's)
  std::string openai_base_url;       // "" = https://api.openai.com/v1
  std::string anthropic_base_url;    // "" = https://api.anthropic.com
  std::string openai_api_key_file;     // the key's file when OPENAI_API_KEY is unset
  std::string anthropic_api_key_file;  // the key's file when ANTHROPIC_API_KEY is unset
};

// Applies the YAML file at `path` over `cfg`. Fails with
// errc::invalid_request and a one-line message naming the file, the key
// and the line: "config.yaml:3: threads: expected a positive integer".
model::result<model::done> load_yaml_config(const std::string& path, serve_config& cfg);

// Parses "HOST:PORT" (or "[v6]:PORT", or "HOST" for the default port)
// into cfg.host/cfg.port. Fails with a message naming the value.
model::result<model::done> parse_bind(const std::string& text, serve_config& cfg);

// "HOST:PORT" as host and port; nullopt unless PORT is 0–65535 and HOST
// is not empty.
std::optional<std::pair<std::string, uint16_t>> split_endpoint(const std::string& endpoint);

// Where the runs are kept, from cfg.store and cfg.data_dir.
struct store_location {
  bool postgresql = false;
  std::string target;  // the SQLite file's path, or the PostgreSQL URL
};
store_location resolve_store(const serve_config& cfg);

// Checks ranges: threads 1..64, actor_threads 1..64, max_body_bytes >= 1024,
// max_header_bytes 1024..1 MiB, log_level and auth_mode known, jwt_issuer
// not empty, auth_mode none only with a loopback bind address. Fails
// naming the key.
model::result<model::done> check_config(const serve_config& cfg);

}  // namespace fabro::app
