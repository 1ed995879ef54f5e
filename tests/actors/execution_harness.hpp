// Test harness for run execution: an actor system with an orchestrator over
// the in-memory store, manifest building, and waiting for conditions with a
// deadline (no fixed sleeps).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/orchestrator.hpp"
#include "actors/run_submission.hpp"
#include "model/json_writer.hpp"
#include "store/run_store.hpp"

namespace fabro::testing {

using namespace std::chrono_literals;

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/fabro-exec-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

struct run_args {
  bool dry_run = false;
  bool auto_approve = false;
};

// A manifest running `source` in `cwd`.
inline std::string workflow_manifest(const std::string& source, const std::string& cwd,
                                     run_args args = {}) {
  std::string src, dir;
  model::append_json_string(src, source);
  model::append_json_string(dir, cwd);
  return "{\"version\":1,\"cwd\":" + dir +
         ",\"target\":{\"identifier\":\"workflow.fabro\",\"path\":\"workflow.fabro\"},"
         "\"args\":{\"dry_run\":" + (args.dry_run ? "true" : "false") +
         ",\"auto_approve\":" + (args.auto_approve ? "true" : "false") +
         "},\"workflows\":{\"workflow.fabro\":{\"source\":" + src + ",\"files\":{}}}}";
}

struct exec_harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::store_factory make_store = actors::memory_store_factory();
  std::unique_ptr<store::run_store> store;  // a reader over the same data
  actors::orchestrator_actor orch;

  // `factory` replaces the in-memory store when set.
  // `handlers` are registered as the embedder's stage handlers; `configure`
  // changes the rest (LLM providers, ...).
  explicit exec_harness(bool local_sandbox = true, actors::queue_config queue = {},
                        actors::store_factory factory = {},
                        std::function<actors::stage_handlers(caf::actor_system&)> handlers = {},
                        std::function<void(actors::orchestrator_config&)> configure = {}) {
    if (factory) make_store = std::move(factory);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    actors::orchestrator_config oc{make_store};
    oc.local_sandbox = local_sandbox;
    oc.retry_jitter = false;
    oc.kill_grace_ms = 300;
    oc.queue = queue;
    if (handlers) oc.handlers = handlers(*sys);
    oc.llm_from_environment = false;  // never a real provider
    if (configure) configure(oc);
    auto o = actors::spawn_orchestrator(*sys, oc);
    REQUIRE(o);
    orch = *o;
    store = std::move(*make_store());
  }
  ~exec_harness() {
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }

  template <class T, class... Ts>
  model::result<T> ask(Ts... xs) {
    caf::scoped_actor self{*sys};
    std::optional<model::result<T>> out;
    self->request(orch, 10s, xs...).receive(
        [&](T& v) { out.emplace(std::move(v)); },
        [&](caf::error& e) { out.emplace(actors::to_problem(e)); });
    return std::move(*out);
  }

  // Creates a run (submitted); returns its id.
  std::string create(const std::string& manifest) {
    auto run = actors::prepare_run(manifest);
    REQUIRE(run);
    auto created = ask<actors::create_result>(actors::create_atom::value, *run);
    REQUIRE(created);
    return created->record.id;
  }

  model::result<model::run_record> control(model::control_action a, const std::string& id) {
    return ask<model::run_record>(actors::control_atom::value, a, id, std::string("dev"));
  }

  // Creates and starts a run; returns its id.
  std::string start(const std::string& manifest) {
    auto run = actors::prepare_run(manifest);
    INFO((run ? "" : run.error().detail));
    REQUIRE(run);
    auto created = ask<actors::create_result>(actors::create_atom::value, *run);
    REQUIRE(created);
    auto id = created->record.id;
    auto started = ask<model::run_record>(actors::start_atom::value, id);
    INFO((started ? "" : started.error().detail));
    REQUIRE(started);
    // Start queues the run (durably); a free slot launches it right away.
    CHECK(started->status == model::run_status::queued);
    CHECK(started->queue_position >= 1);
    return id;
  }

  model::run_record get(const std::string& id) {
    auto r = ask<model::run_record>(actors::get_atom::value, id);
    REQUIRE(r);
    return *r;
  }

  // Polls until `pred` holds or `limit` passes; returns whether it held.
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds limit = 20s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return pred();
  }

  // Waits for a terminal status and returns the final record.
  model::run_record finish(const std::string& id) {
    model::run_record r;
    bool done = eventually([&] {
      r = get(id);
      return model::is_terminal(r.status);
    });
    REQUIRE(done);
    return r;
  }

  std::vector<std::string> envelopes(const std::string& id) {
    auto page = ask<actors::event_page>(actors::events_atom::value, id, uint64_t{1},
                                        uint64_t{1000});
    REQUIRE(page);
    return page->events;
  }

  // "name" or "name node" per event; checks seq is contiguous from 1.
  std::vector<std::string> events(const std::string& id) {
    std::vector<std::string> out;
    uint64_t seq = 0;
    for (const auto& e : envelopes(id)) {
      CHECK(e.find("\"seq\":" + std::to_string(++seq) + ",") == 1);
      auto name = field(e, "event");
      auto node = field(e, "node_id", true);
      out.push_back(node.empty() ? name : name + " " + node);
    }
    return out;
  }

  // The string value of the first (or `last`) `"key":"..."` in `json`; the
  // envelope's own node_id is the last one (properties come first).
  static std::string field(const std::string& json, const std::string& key,
                           bool last = false) {
    auto pat = "\"" + key + "\":\"";
    auto at = last ? json.rfind(pat) : json.find(pat);
    if (at == std::string::npos) return "";
    at += key.size() + 4;
    return json.substr(at, json.find('"', at) - at);
  }
};

// The events of a stage that ran a command (real mode).
inline std::vector<std::string> command_stage(const std::string& node) {
  return {"stage.started " + node,     "command.started " + node, "command.completed " + node,
          "stage.completed " + node,   "edge.selected " + node,   "checkpoint.completed " + node};
}

inline std::vector<std::string> noop_stage(const std::string& node) {
  return {"stage.started " + node, "stage.completed " + node, "edge.selected " + node,
          "checkpoint.completed " + node};
}

inline std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The events every real-mode run starts with.
inline std::vector<std::string> real_prologue() {
  return {"run.created",         "run.submitted", "run.queued", "run.starting",
          "sandbox.initializing", "sandbox.ready", "sandbox.initialized",
          "run.started",         "run.running"};
}

}  // namespace fabro::testing
