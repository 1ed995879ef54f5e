// Embedding fabro-orchestrator without HTTP: an orchestrator over an SQLite
// file in this program's own actor_system, one run created and started
// through the typed actor, its status followed until it ends, its events
// printed. Exit 0 when the run completed.
//
//   embed_example [DATA_DIR]   (default: a fresh directory under /tmp)
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/orchestrator.hpp"
#include "actors/run_submission.hpp"
#include "actors/store_factory.hpp"
#include "fabro/version.hpp"
#include "model/json_writer.hpp"
#include "model/run_status.hpp"

using namespace fabro;
using namespace std::chrono_literals;

namespace {

// A manifest running `start -> greet -> exit`, `greet` a command stage.
std::string manifest(const std::string& cwd) {
  std::string source =
      "digraph Embedded { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  greet [shape=parallelogram, script=\"echo hello from an embedded run\"]\n"
      "  start -> greet -> exit }";
  std::string src, dir;
  model::append_json_string(src, source);
  model::append_json_string(dir, cwd);
  return "{\"version\":1,\"cwd\":" + dir +
         ",\"target\":{\"identifier\":\"embedded.fabro\",\"path\":\"embedded.fabro\"},"
         "\"args\":{\"dry_run\":false},\"workflows\":{\"embedded.fabro\":{\"source\":" + src +
         ",\"files\":{}}}}";
}

// Asks the orchestrator and waits for the answer (fine in main; never on
// a thread that serves requests).
template <class T, class... Ts>
model::result<T> ask(caf::actor_system& sys, const actors::orchestrator_actor& orch, Ts... xs) {
  caf::scoped_actor self{sys};
  model::result<T> out = model::make_problem(model::errc::internal, "no answer");
  self->request(orch, std::chrono::seconds(10), xs...)
      .receive([&](T& v) { out = std::move(v); },
               [&](caf::error& e) { out = actors::to_problem(e); });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool temporary = argc < 2;
  std::string dir = !temporary ? argv[1]
                               : (std::filesystem::temp_directory_path() /
                                  ("fabro-embed-" + std::to_string(::getpid())))
                                     .string();
  std::filesystem::create_directories(dir);
  std::cout << "fabro-orchestrator " << FABRO_ORCHESTRATOR_VERSION << ", store in " << dir
            << "\n";

  int rc = 1;
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    actors::orchestrator_config ocfg;
    ocfg.make_store = actors::sqlite_store_factory(dir + "/runs.db");
    auto orch = actors::spawn_orchestrator(sys, ocfg);
    if (!orch) {
      std::cerr << "cannot start the orchestrator: " << orch.error().detail << "\n";
      return 1;
    }
    auto run = actors::prepare_run(manifest(dir));
    if (!run) {
      std::cerr << "manifest refused: " << run.error().detail << "\n";
      return 1;
    }
    auto created = ask<actors::create_result>(sys, *orch, actors::create_atom::value,
                                              std::move(*run), true);
    if (!created) {
      std::cerr << "create failed: " << created.error().detail << "\n";
      return 1;
    }
    auto id = created->record.id;
    std::cout << "run " << id << " " << model::to_string(created->record.status) << "\n";

    auto status = created->record.status;
    for (int i = 0; i < 3000 && !model::is_terminal(status); ++i) {
      std::this_thread::sleep_for(10ms);
      auto got = ask<model::run_record>(sys, *orch, actors::get_atom::value, id);
      if (got) status = got->status;
    }
    std::cout << "run " << id << " ended " << model::to_string(status) << "\n";

    auto events = ask<actors::event_page>(sys, *orch, actors::events_atom::value, id,
                                          uint64_t{1}, uint64_t{1000});
    if (events)
      for (const auto& e : events->events) std::cout << e << "\n";
    rc = status == model::run_status::completed && events ? 0 : 1;
    caf::anon_send_exit(*orch, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  }
  if (temporary) std::filesystem::remove_all(dir);
  return rc;
}
