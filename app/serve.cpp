#include "app/serve.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "app/bwrap_probe.hpp"
#include "app/cluster_node.hpp"

#include "actors/cluster.hpp"
#include "actors/event_hub.hpp"
#include "actors/orchestrator.hpp"
#include "actors/stage_records.hpp"
#include "http/auth_token.hpp"
#include "http/server.hpp"
#include "store/pg_run_store.hpp"

extern char** environ;

namespace fabro::app {
namespace {

// A configuration error found at startup: one line, exit code 2, as for a
// bad config file (app/main.cpp).
int config_error(const std::string& message) {
  std::cerr << "fabro-orchestrator: " << message << "\n";
  return 2;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// Removes `name` from the environment and overwrites its value where the
// kernel shows it (/proc/<pid>/environ is the original block, which
// unsetenv leaves as it was). Called before any thread starts.
void scrub_env(const char* name) {
  size_t len = std::strlen(name);
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, name, len) == 0 && (*e)[len] == '=')
      std::memset(*e + len + 1, 0, std::strlen(*e + len + 1));
  unsetenv(name);
}

// The SQLite store's files are the server user's alone (SQLite makes them
// 0644): they hold every run's manifest and output.
void restrict_store_files(const std::string& db_path) {
  for (const char* suffix : {"", "-wal", "-shm"})
    ::chmod((db_path + suffix).c_str(), 0600);  // absent files are fine
}

// Reports a store that could not be opened; the exit code: 2 for a
// damaged store (said on stderr as is, for the operator), 1 otherwise.
int store_refused(const model::problem& p) {
  bool damaged = p.code == model::errc::store_damaged;
  if (damaged) std::cerr << "fabro-orchestrator: " << p.detail << "\n";
  else spdlog::error("{}", p.detail);
  return damaged ? 2 : 1;
}

// The auth settings with their secrets: FABRO_DEV_TOKEN or the data
// directory's token file (made and printed on first start), and
// FABRO_JWT_PUBLIC_KEY or jwt_public_key_file. Fails with a one-line reason.
model::result<http::auth_config> resolve_auth(const serve_config& cfg) {
  http::auth_config auth;
  auth.mode = *http::parse_auth_mode(cfg.auth_mode);  // check_config passed
  auth.jwt_issuer = cfg.jwt_issuer;
  auth.allowed_usernames = cfg.allowed_usernames;
  if (auth.mode == http::auth_mode::dev_token) {
    if (const char* token = env("FABRO_DEV_TOKEN")) {
      if (!http::is_dev_token(token))
        return model::make_problem(model::errc::invalid_request,
                                   "FABRO_DEV_TOKEN: expected fabro_dev_ followed by 64 hex digits");
      auth.dev_token = token;
      scrub_env("FABRO_DEV_TOKEN");
      spdlog::info("auth: dev token from FABRO_DEV_TOKEN");
    } else {
      auto file = http::load_or_create_dev_token(cfg.data_dir);
      if (!file) return file.error();
      auth.dev_token = file->token;
      if (file->created)  // never printed: logs are read by more people than tokens
        spdlog::warn("auth: new dev token saved to {} (mode 0600); clients read it there",
                     file->path);
      else
        spdlog::info("auth: dev token from {}", file->path);
    }
  } else if (auth.mode == http::auth_mode::jwt) {
    if (const char* key = env("FABRO_JWT_PUBLIC_KEY")) {
      auth.jwt_public_key = key;
    } else if (!cfg.jwt_public_key_file.empty()) {
      std::ifstream in(cfg.jwt_public_key_file);
      if (!in)
        return model::make_problem(model::errc::invalid_request,
                                   "jwt_public_key_file: cannot read " + cfg.jwt_public_key_file);
      std::stringstream ss;
      ss << in.rdbuf();
      auth.jwt_public_key = ss.str();
    }
  }
  if (auto checked = http::authenticator::create(auth, cfg.host); !checked)
    return checked.error();
  // Warnings only for a configuration that is going to be used.
  if (auth.mode == http::auth_mode::jwt && auth.allowed_usernames.empty())
    spdlog::warn("auth: allowed_usernames is empty, every JWT will be refused");
  if (auth.mode == http::auth_mode::none)
    spdlog::warn("auth: disabled (auth_mode none); anyone who can reach {} may create and "
                 "control runs", cfg.host);
  return auth;
}

// Lets the process hold max_connections sockets plus room for the store and
// the runs' pipes, as far as the hard limit allows.
void raise_open_file_limit(uint64_t max_connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + 256;
  if (lim.rlim_cur >= want) return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  setrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < want)
    spdlog::warn("max_connections {} is above what the open file limit ({}) allows",
                 max_connections, lim.rlim_cur);
}

}  // namespace

int serve(const serve_config& cfg) {
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", cfg.data_dir, ec.message());
    return 1;
  }
  ::chmod(cfg.data_dir.c_str(), 0700);  // before anything is written into it
  auto where = resolve_store(cfg);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // On PostgreSQL: the schema first (migrations), before any node of
  // the store serves (app/cluster_node.hpp).
  std::string node_id = cfg.node_id;
  if (where.postgresql) {
    if (auto schema = store::pg_run_store::open(where.target); !schema)
      return store_refused(schema.error());
    if (node_id.empty()) {
      char host[256] = "node";
      ::gethostname(host, sizeof host - 1);
      node_id = std::string(host) + "-" + std::to_string(::getpid());
    }
  }
  auto auth = resolve_auth(cfg);
  if (!auth) return config_error(auth.error().detail);
  raise_open_file_limit(cfg.max_connections);
  auto bwrap = probe_bwrap();
  if (cfg.sandbox == "bubblewrap" && !bwrap.works)
    return config_error("sandbox: bubblewrap, but " + bwrap.error);
  // Before recovery marks the previous server's runs failed: end the
  // stages it left running.
  auto stages_dir = (std::filesystem::path(cfg.data_dir) / "stages").string();
  std::filesystem::create_directories(stages_dir, ec);
  if (int n = actors::reap_recorded_stages(stages_dir, 2000); n > 0)
    spdlog::warn("recovery: terminated {} stage process group(s) the previous server left running",
                 n);

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", cfg.actor_threads);
  caf_cfg.set("logger.console", caf::atom("none"));
  // Idle workers go straight to their condition variable (woken by the
  // next enqueue) instead of polling: CAF 0.17's default spins, then polls
  // every 50 µs, which took 20–30 µs of CPU per created run from the HTTP
  // threads on 2 cores (benchmarks/README.md, issue 12).
  caf_cfg.set("work-stealing.aggressive-poll-attempts", 0);
  caf_cfg.set("work-stealing.moderate-poll-attempts", 0);
  if (where.postgresql) {  // the nodes of the store talk over CAF (actors/cluster.hpp)
    caf_cfg.load<caf::io::middleman>();
    actors::add_cluster_message_types(caf_cfg);
    // A peer silent for 10 s (hung, or cut off without a reset) counts as
    // gone, as one whose connection dropped.
    caf_cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
    caf_cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(10)});
  }
  caf::actor_system sys{caf_cfg};

  // The hub hears every durable event from the journal and replays from
  // the orchestrator, so it comes first and learns the orchestrator after.
  actors::event_hub_config hub_cfg;
  hub_cfg.keepalive = std::chrono::milliseconds(cfg.sse_keepalive_ms);
  auto hub = actors::spawn_event_hub(sys, {}, hub_cfg);
  actors::orchestrator_config orch_cfg;
  orch_cfg.queue.max_concurrent_runs = cfg.max_concurrent_runs;
  orch_cfg.queue.max_queued_runs = cfg.max_queued_runs;
  orch_cfg.local_sandbox = cfg.local_sandbox;
  orch_cfg.stage_records_dir = stages_dir;
  orch_cfg.sandbox = cfg.sandbox;
  orch_cfg.simulate_llm = cfg.simulate_llm;
  orch_cfg.llm_defaults = {cfg.llm_provider, cfg.llm_model};
  if (!cfg.openai_base_url.empty()) orch_cfg.llm_base_urls["openai"] = cfg.openai_base_url;
  if (!cfg.anthropic_base_url.empty())
    orch_cfg.llm_base_urls["anthropic"] = cfg.anthropic_base_url;
  if (!cfg.openai_api_key_file.empty()) orch_cfg.llm_key_files["openai"] = cfg.openai_api_key_file;
  if (!cfg.anthropic_api_key_file.empty())
    orch_cfg.llm_key_files["anthropic"] = cfg.anthropic_api_key_file;
  orch_cfg.bwrap_path = bwrap.works ? bwrap.path : "";
  orch_cfg.sandbox_hidden = {std::filesystem::absolute(cfg.data_dir).lexically_normal().string()};
  if (cfg.sandbox == "bubblewrap")
    spdlog::info("sandbox: every command stage runs under {}", bwrap.path);
  else if (bwrap.works)
    spdlog::info("sandbox: local (runs may ask for bubblewrap with args.sandbox)");
  else
    spdlog::warn("sandbox: local; bubblewrap unavailable: {}", bwrap.error);
  orch_cfg.on_storage = [](bool failing, const std::string& detail) {
    if (failing)
      spdlog::error("storage: commits fail ({}); answering 503 until they succeed again",
                    detail);
    else
      spdlog::info("storage: commits succeed again after {} failed", detail);
  };
  // SQLite: this server's own orchestrator. PostgreSQL: the gateway to
  // whichever node is the queue authority (this one, once it takes over).
  actors::orchestrator_actor front;
  caf::actor gateway;
  std::unique_ptr<cluster_node> cluster;
  auto stop_actors = [&] {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);  // ends open streams
    if (front) caf::anon_send_exit(front, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  };
  if (!where.postgresql) {
    orch_cfg.make_store = actors::sqlite_store_factory(where.target);
    orch_cfg.event_listener = hub;
    auto orch = actors::spawn_orchestrator(sys, orch_cfg);
    if (!orch) {
      stop_actors();
      return store_refused(orch.error());
    }
    front = *orch;
    caf::anon_send(hub, front);
    restrict_store_files(where.target);  // open: its files exist
  } else {
    gateway = actors::spawn_orchestrator_gateway(sys);
    front = actors::as_orchestrator(gateway);
    caf::anon_send(hub, front);
    auto start = [&sys, orch_cfg, url = where.target](uint64_t term,
                                                      actors::event_listener_actor listener) {
      auto c = orch_cfg;
      c.make_store = actors::postgresql_store_factory(url, term);
      c.event_listener = std::move(listener);
      return actors::spawn_orchestrator(sys, c);
    };
    auto executor = [&sys, orch_cfg] { return actors::spawn_executor(sys, orch_cfg); };
    auto opened = cluster_node::open(sys, {where.target, node_id, cfg.cluster_endpoint, gateway,
                                           hub, std::move(start), std::move(executor),
                                           cfg.max_concurrent_runs});
    if (!opened) {
      stop_actors();
      return store_refused(opened.error());
    }
    cluster = std::move(*opened);
    cluster->begin();
  }

  http::http_config http_cfg;
  http_cfg.host = cfg.host;
  http_cfg.port = cfg.port;
  http_cfg.threads = cfg.threads;
  http_cfg.max_body_bytes = cfg.max_body_bytes;
  http_cfg.max_header_bytes = cfg.max_header_bytes;
  http_cfg.max_connections = cfg.max_connections;
  http_cfg.header_timeout_ms = cfg.header_timeout_ms;
  http_cfg.idle_timeout_ms = cfg.idle_timeout_ms;
  http_cfg.auth = std::move(*auth);
  http_cfg.storage_dir = std::filesystem::absolute(cfg.data_dir).string();
  http_cfg.sandbox_provider = cfg.sandbox;
  if (cluster) http_cfg.cluster_view = [c = cluster.get()] { return c->view(); };
  auto server = http::http_server::start(sys, front, hub, http_cfg);
  if (!server) {
    spdlog::error("{}", server.error().detail);
    cluster.reset();
    stop_actors();
    return 1;
  }
  if (cluster) cluster->run(cfg.host + ":" + std::to_string((*server)->port()));
  // Tests and scripts read this line to learn the port (with --bind :0).
  spdlog::info("listening on {}:{} (store {})", cfg.host, (*server)->port(),
               where.postgresql ? store::pg_run_store::redacted(where.target) : where.target);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {}: shutting down", sig);

  (*server)->shutdown();  // stop accepting first
  // The orchestrator this server runs, if it does (a follower runs none).
  auto local = front;
  if (cluster) {
    local = cluster->local_orchestrator();
    cluster.reset();  // no takeover from now on
  }
  if (local) {
    // Everything the journal accepted before this point gets committed.
    caf::scoped_actor self{sys};
    self->request(local, std::chrono::seconds(30), actors::flush_atom::value)
        .receive([](bool) {}, [](caf::error&) {});
    caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
  }
  stop_actors();
  server->reset();  // only now: CAF threads no longer write responses
  spdlog::info("stopped");
  // Every actor has ended and everything acknowledged is on disk (the
  // journal synced and closed the store when it ended). CAF 0.17's own
  // teardown can still wait forever for a detached actor it never releases
  // (after thousands of start=true runs: benchmarks/README.md, "Shutdown
  // hang"), so the process ends here, without it.
  spdlog::default_logger()->flush();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace fabro::app
