#include "app/serve.hpp"

#include <csignal>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/orchestrator.hpp"
#include "http/server.hpp"

namespace fabro::app {

int serve(const serve_config& cfg) {
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", cfg.data_dir, ec.message());
    return 1;
  }
  auto db_path = (std::filesystem::path(cfg.data_dir) / "runs.db").string();

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", cfg.actor_threads);
  caf_cfg.set("logger.console", caf::atom("none"));
  caf::actor_system sys{caf_cfg};

  auto orch = actors::spawn_orchestrator(
      sys, actors::orchestrator_config{actors::sqlite_store_factory(db_path)});
  if (!orch) {
    spdlog::error("{}", orch.error().detail);
    return 1;
  }

  http::http_config http_cfg;
  http_cfg.host = cfg.host;
  http_cfg.port = cfg.port;
  http_cfg.threads = cfg.threads;
  http_cfg.max_body_bytes = cfg.max_body_bytes;
  auto server = http::http_server::start(sys, *orch, http_cfg);
  if (!server) {
    spdlog::error("{}", server.error().detail);
    caf::anon_send_exit(*orch, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
    return 1;
  }
  // Tests and scripts read this line to learn the port (with --bind :0).
  spdlog::info("listening on {}:{} (store {})", cfg.host, (*server)->port(), db_path);

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("signal {}: shutting down", sig);

  (*server)->shutdown();  // stop accepting first
  {
    // Everything the journal accepted before this point gets committed.
    caf::scoped_actor self{sys};
    self->request(*orch, std::chrono::seconds(30), actors::flush_atom::value)
        .receive([](bool) {}, [](caf::error&) {});
  }
  caf::anon_send_exit(*orch, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
  server->reset();  // only now: CAF threads no longer write responses
  spdlog::info("stopped");
  return 0;
}

}  // namespace fabro::app
