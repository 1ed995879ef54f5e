// Embedding fabro-orchestrator without HTTP: an orchestrator over an SQLite
// file in this program's own actor_system, with a stage handler of its own
// for `type="review"` nodes (actors/stage_handler.hpp); one run created and
// started through the typed actor, its events received as actor messages
// (replayed, then live, until the run ends) and printed. Exit 0 when the run
// completed.
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
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/event_hub.hpp"
#include "actors/event_subscriber.hpp"
#include "actors/orchestrator.hpp"
#include "actors/run_submission.hpp"
#include "actors/stage_handler.hpp"
#include "actors/store_factory.hpp"
#include "fabro/version.hpp"
#include "model/json_writer.hpp"
#include "model/run_status.hpp"

using namespace fabro;
using namespace std::chrono_literals;

namespace {

// A manifest running `start -> greet -> review -> exit`: `greet` a command
// stage, `review` a stage of this program's own handler type, which
// approves the greeting (or sends the run back to greet).
std::string manifest(const std::string& cwd) {
  std::string source =
      "digraph Embedded { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  greet [shape=parallelogram, script=\"echo hello from an embedded run\"]\n"
      "  review [type=\"review\", prompt=\"Is the greeting friendly?\", timeout=\"30s\"]\n"
      "  start -> greet -> review\n"
      "  review -> exit [label=\"approve\"]\n"
      "  review -> greet [label=\"reject\"] }";
  std::string src, dir;
  model::append_json_string(src, source);
  model::append_json_string(dir, cwd);
  return "{\"version\":1,\"cwd\":" + dir +
         ",\"target\":{\"identifier\":\"embedded.fabro\",\"path\":\"embedded.fabro\"},"
         "\"args\":{\"dry_run\":false},\"workflows\":{\"embedded.fabro\":{\"source\":" + src +
         ",\"files\":{}}}}";
}

// The review handler: reads the previous command's output from the run's
// context, reports what it looked at as a live stage event, and answers
// with a label that routes the run. A real one would call a model or a
// person; it must not block its actor either way.
actors::stage_handler_actor::behavior_type reviewer(actors::stage_handler_actor::pointer, int) {
  return {
      [](actors::stage_atom, const actors::stage_call& call) {
        auto it = call.context.find("command.output");
        std::string output = it == call.context.end() ? "" : it->second;
        std::string quoted;
        model::append_json_string(quoted, output);
        caf::anon_send(call.events, actors::stage_event_atom::value, call.stage_id,
                       std::string("review.read"), "{\"command_output\":" + quoted + "}");
        actors::stage_reply r;
        bool friendly = output.find("hello") != std::string::npos;
        r.preferred_label = friendly ? "approve" : "reject";
        r.notes = friendly ? "approved by the embedded reviewer" : "rejected: no greeting";
        r.context_updates["review.verdict"] = r.preferred_label;
        return r;
      },
      [](actors::stage_control_atom, const std::string&, const std::string&,
         model::control_action) {},
  };
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

// Spawns everything, runs the workflow, prints its events and stops the
// actors it spawned. Every handle it holds (the config's handlers too) is
// gone when it returns: a referenced actor lives on, and the actor system's
// teardown would wait for it.
int run_example(caf::actor_system& sys, const std::string& dir) {
  // The hub hears every committed event from the orchestrator's journal
  // and replays from the orchestrator, which it learns once spawned.
  auto hub = actors::spawn_event_hub(sys, {}, actors::event_hub_config{});
  auto reviewer_actor = sys.spawn(reviewer, 0);
  actors::orchestrator_config ocfg;
  ocfg.make_store = actors::sqlite_store_factory(dir + "/runs.db");
  ocfg.event_listener = hub;
  ocfg.handlers["review"] = reviewer_actor;
  auto stop = [&](const actors::orchestrator_actor& orch) {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(reviewer_actor, caf::exit_reason::user_shutdown);
    if (orch) caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
  };
  auto orch = actors::spawn_orchestrator(sys, ocfg);
  if (!orch) {
    std::cerr << "cannot start the orchestrator: " << orch.error().detail << "\n";
    stop(actors::orchestrator_actor{});
    return 1;
  }
  caf::anon_send(hub, *orch);
  auto run = actors::prepare_run(manifest(dir));
  if (!run) {
    std::cerr << "manifest refused: " << run.error().detail << "\n";
    stop(*orch);
    return 1;
  }
  auto created =
      ask<actors::create_result>(sys, *orch, actors::create_atom::value, std::move(*run), true);
  if (!created) {
    std::cerr << "create failed: " << created.error().detail << "\n";
    stop(*orch);
    return 1;
  }
  auto id = created->record.id;
  std::cout << "run " << id << " " << model::to_string(created->record.status) << "\n";

  // Its events as messages: the log so far, then live, then the end.
  bool ended = false;
  {
    caf::scoped_actor self{sys};
    caf::anon_send(hub, actors::subscribe_atom::value,
                   actors::run_events_to(caf::actor_cast<caf::actor>(self), id));
    while (!ended) {
      bool got = false;
      self->receive(
          [&](actors::run_event_atom, const std::string&, uint64_t, const std::string& envelope) {
            std::cout << envelope << "\n";
            got = true;
          },
          [&](actors::events_end_atom, const std::string&) { ended = got = true; },
          caf::after(std::chrono::seconds(30)) >> [] {});
      if (!got) break;  // nothing for 30 s
    }
  }
  auto got = ask<model::run_record>(sys, *orch, actors::get_atom::value, id);
  auto status = got ? got->status : model::run_status::failed;
  std::cout << "run " << id << " ended " << model::to_string(status) << "\n";
  stop(*orch);
  return ended && status == model::run_status::completed ? 0 : 1;
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
  int rc;
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    rc = run_example(sys, dir);
    // Every actor ends (the journal closes the store) before the system goes.
    sys.await_all_actors_done();
  }
  if (temporary) std::filesystem::remove_all(dir);
  return rc;
}
