// Queue admission and control (cancel / pause / unpause) through the
// orchestrator, with real command stages, without HTTP.
#include "tests/actors/execution_harness.hpp"

#include <signal.h>

#include <fstream>
#include <random>
#include <sstream>

using namespace fabro;
using namespace fabro::testing;
using model::control_action;
using model::run_status;
using model::status_reason;

namespace {

// A run whose command writes its pid, then sleeps; with `stubborn` it
// ignores SIGTERM (so a cancel stays pending until the SIGKILL grace ends).
std::string sleeper(const std::string& dir, bool stubborn = false) {
  std::string trap = stubborn ? "trap '' TERM; " : "";
  return workflow_manifest(
      "digraph S { start [shape=Mdiamond] exit [shape=Msquare] "
      "work [shape=parallelogram, script=\"" + trap + "echo $$ > pid; sleep 30\"] "
      "start -> work -> exit }",
      dir);
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool process_state_is(pid_t pid, char state) {
  std::string stat = read("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == state;
}

}  // namespace

TEST_CASE("cancelling a submitted run ends it at once, recording the request and the failure",
          "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.create(sleeper(dir.str()));
  auto r = h.control(control_action::cancel, id);
  REQUIRE(r);
  CHECK(r->status == run_status::cancelled);
  CHECK(r->reason == status_reason::cancelled);
  CHECK(r->pending_control == control_action::none);
  CHECK(h.events(id) == std::vector<std::string>{"run.created", "run.submitted",
                                                 "run.cancel.requested", "run.failed"});
  auto envelopes = h.envelopes(id);
  CHECK(envelopes[2].find("\"actor\":{\"kind\":\"user\",\"id\":\"dev\",\"display\":\"dev\"}") !=
        std::string::npos);
  CHECK(envelopes[3].find("\"error\":\"Pipeline cancelled\"") != std::string::npos);
  auto again = h.control(control_action::cancel, id);
  REQUIRE_FALSE(again);
  CHECK(again.error().detail == "Run is not cancellable.");
}

TEST_CASE("queued runs wait for a slot in start order, with exact positions, and a cancelled "
          "one leaves no gap", "[actors][control]") {
  exec_harness h(true, actors::queue_config{0, 0});  // admits nothing
  temp_dir dir;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(h.create(sleeper(dir.str())));
    auto q = h.ask<model::run_record>(actors::start_atom::value, ids.back());
    REQUIRE(q);
    CHECK(q->status == run_status::queued);
    CHECK(q->queue_position == static_cast<uint64_t>(i + 1));
  }
  REQUIRE(h.control(control_action::cancel, ids[1])->status == run_status::cancelled);
  CHECK(h.get(ids[0]).queue_position == 1);
  CHECK(h.get(ids[2]).queue_position == 2);
  CHECK(h.get(ids[3]).queue_position == 3);
  auto page = h.ask<actors::run_page>(actors::list_atom::value, uint64_t{0}, uint64_t{10});
  for (const auto& r : page->runs)
    if (r.id == ids[3]) CHECK(r.queue_position == 3);
  auto twice = h.ask<model::run_record>(actors::start_atom::value, ids[0]);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().detail.find("still running for this run") != std::string::npos);
  CHECK(h.control(control_action::pause, ids[0]).error().detail == "Run is not pausable.");
}

TEST_CASE("a full queue refuses to start more runs", "[actors][control]") {
  exec_harness h(true, actors::queue_config{0, 1});
  temp_dir dir;
  auto a = h.create(sleeper(dir.str()));
  auto b = h.create(sleeper(dir.str()));
  REQUIRE(h.ask<model::run_record>(actors::start_atom::value, a));
  auto refused = h.ask<model::run_record>(actors::start_atom::value, b);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::errc::queue_full);
  CHECK(h.get(b).status == run_status::submitted);
}

TEST_CASE("pause stops the running command's process at once, unpause continues it, cancel "
          "ends it", "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(sleeper(dir.str(), true));
  REQUIRE(h.eventually([&] { return !read(dir.path / "pid").empty(); }));
  pid_t pid = std::stoi(read(dir.path / "pid"));
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::running; }));

  auto p = h.control(control_action::pause, id);
  REQUIRE(p);
  CHECK(p->status == run_status::running);
  CHECK(p->pending_control == control_action::pause);
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::paused; }));
  CHECK(h.get(id).pending_control == control_action::none);
  CHECK(h.eventually([&] { return process_state_is(pid, 'T'); }));  // stopped
  CHECK(h.control(control_action::pause, id).error().detail == "Run is not pausable.");

  auto u = h.control(control_action::unpause, id);
  REQUIRE(u);
  CHECK(u->status == run_status::paused);
  CHECK(u->pending_control == control_action::unpause);
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::running; }));
  CHECK(h.eventually([&] { return process_state_is(pid, 'S'); }));  // sleeping again

  auto c = h.control(control_action::cancel, id);
  REQUIRE(c);
  CHECK(c->status == run_status::running);
  CHECK(c->pending_control == control_action::cancel);
  auto again = h.control(control_action::cancel, id);  // idempotent while pending
  REQUIRE(again);
  auto end = h.finish(id);
  CHECK(end.status == run_status::cancelled);
  CHECK(end.reason == status_reason::cancelled);
  CHECK(h.eventually([&] { return kill(pid, 0) != 0 || process_state_is(pid, 'Z'); }));
  auto names = h.events(id);
  CHECK(std::count(names.begin(), names.end(), "run.cancel.requested") == 1);
  CHECK(names.back() == "run.failed");
  CHECK(std::find(names.begin(), names.end(), "run.paused") != names.end());
  CHECK(std::find(names.begin(), names.end(), "run.unpaused") != names.end());
}

TEST_CASE("a cancel overrides a pending pause and a paused run can be cancelled",
          "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(sleeper(dir.str()));
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::running; }));
  REQUIRE(h.control(control_action::pause, id));
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::paused; }));
  auto c = h.control(control_action::cancel, id);
  REQUIRE(c);
  CHECK(c->pending_control == control_action::cancel);
  CHECK(h.finish(id).status == run_status::cancelled);
}

TEST_CASE("with one slot, runs execute one at a time in start order", "[actors][control]") {
  exec_harness h(true, actors::queue_config{1, 0});
  temp_dir dir;
  // Each run appends "start <n>" and "end <n>" to a shared log.
  auto manifest = [&](int n) {
    auto script = "echo start " + std::to_string(n) + " >> log; sleep 0.2; echo end " +
                  std::to_string(n) + " >> log";
    return workflow_manifest("digraph C { start [shape=Mdiamond] exit [shape=Msquare] "
                             "work [shape=parallelogram, script=\"" + script + "\"] "
                             "start -> work -> exit }", dir.str());
  };
  std::vector<std::string> ids;
  for (int n = 0; n < 3; ++n) ids.push_back(h.start(manifest(n)));
  for (auto& id : ids) CHECK(h.finish(id).status == run_status::completed);
  CHECK(read(dir.path / "log") == "start 0\nend 0\nstart 1\nend 1\nstart 2\nend 2\n");
}

TEST_CASE("delete needs force for an active run and removes a finished one", "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(sleeper(dir.str()));
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::running; }));
  auto refused = h.ask<bool>(actors::delete_atom::value, id, false);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::errc::conflict);
  auto forced = h.ask<bool>(actors::delete_atom::value, id, true);
  REQUIRE(forced);
  CHECK(*forced);
  auto gone = h.ask<model::run_record>(actors::get_atom::value, id);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == model::errc::run_not_found);
  CHECK_FALSE(*h.ask<bool>(actors::delete_atom::value, id, false));  // unknown now
}

TEST_CASE("after a restart, queued runs are queued again in their original order",
          "[actors][control]") {
  temp_dir dir;
  auto make_store = actors::memory_store_factory();
  std::vector<std::string> ids;
  // An orchestrator over a shared store: queue three, then "restart".
  {
    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", 2);
    caf::actor_system sys{cfg};
    actors::orchestrator_config oc{make_store};
    oc.queue = {0, 0};
    auto orch = *actors::spawn_orchestrator(sys, oc);
    caf::scoped_actor self{sys};
    for (int i = 0; i < 3; ++i) {
      auto run = *actors::prepare_run(sleeper(dir.str()));
      self->request(orch, 5s, actors::create_atom::value, run)
          .receive([&](actors::create_result& r) { ids.push_back(r.record.id); },
                   [](caf::error&) {});
    }
    // Start in reverse creation order: the queue follows start order.
    for (int i = 2; i >= 0; --i)
      self->request(orch, 5s, actors::start_atom::value, ids[i])
          .receive([](model::run_record&) {}, [](caf::error&) {});
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  actors::orchestrator_config oc{make_store};
  oc.queue = {0, 0};
  auto orch = *actors::spawn_orchestrator(sys, oc);
  caf::scoped_actor self{sys};
  for (int i = 0; i < 3; ++i) {
    uint64_t pos = 0;
    self->request(orch, 5s, actors::get_atom::value, ids[i])
        .receive([&](model::run_record& r) { pos = r.queue_position; }, [](caf::error&) {});
    CHECK(pos == static_cast<uint64_t>(3 - i));
  }
  caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
}

TEST_CASE("a failed run resumes from its checkpoint: finished stages are not run again",
          "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.start(workflow_manifest(
      "digraph R { start [shape=Mdiamond] exit [shape=Msquare] "
      "a [shape=parallelogram, script=\"echo a >> log\"] "
      "b [shape=parallelogram, script=\"test -f ok && echo b >> log\"] "
      "start -> a -> b  a -> exit [condition=\"outcome=fail\"] }",
      dir.str()));
  auto failed = h.finish(id);
  REQUIRE(failed.status == run_status::failed);
  CHECK(read(dir.path / "log") == "a\n");

  std::ofstream(dir.path / "ok") << "";
  auto resumed = h.ask<model::run_record>(actors::start_atom::value, id, true);
  REQUIRE(resumed);
  CHECK(resumed->status == run_status::queued);
  auto done = h.finish(id);
  CHECK(done.status == run_status::completed);
  CHECK(read(dir.path / "log") == "a\nb\n");  // `a` ran once
  auto names = h.events(id);  // one contiguous log across both attempts
  CHECK(std::count(names.begin(), names.end(), "run.queued") == 2);
  CHECK(names.back() == "run.completed");
}

TEST_CASE("resuming needs a checkpoint", "[actors][control]") {
  exec_harness h;
  temp_dir dir;
  auto id = h.create(sleeper(dir.str()));
  auto r = h.ask<model::run_record>(actors::start_atom::value, id, true);
  REQUIRE_FALSE(r);
  CHECK(r.error().detail == "no checkpoint to resume from");
}

namespace {

actors::orchestrator_stats stats_of(exec_harness& h) {
  auto s = h.ask<actors::orchestrator_stats>(actors::stats_atom::value);
  REQUIRE(s);
  return *s;
}

}  // namespace

TEST_CASE("submitted and queued runs have no actor, and controls of them answer as for any "
          "waiting run", "[actors][control]") {
  exec_harness h(true, actors::queue_config{0, 0});  // admits nothing
  temp_dir dir;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(h.start(sleeper(dir.str())));
  auto submitted = h.create(sleeper(dir.str()));
  auto s = stats_of(h);
  CHECK(s.run_actors == 0);
  CHECK(s.queued == 3);
  CHECK(s.submitted == 1);
  CHECK(h.get(ids[2]).queue_position == 3);
  CHECK(h.control(control_action::pause, ids[0]).error().detail == "Run is not pausable.");
  CHECK(h.control(control_action::unpause, ids[0]).error().detail == "Run is not paused.");
  CHECK(h.control(control_action::pause, submitted).error().detail == "Run is not pausable.");
  auto again = h.ask<model::run_record>(actors::start_atom::value, ids[0]);
  REQUIRE_FALSE(again);
  CHECK(again.error().detail ==
        "an engine process is still running for this run \u2014 cannot start");
  auto resume = h.ask<model::run_record>(actors::start_atom::value, ids[0], true);
  REQUIRE_FALSE(resume);
  CHECK(resume.error().code == model::errc::conflict);

  auto cancelled = h.control(control_action::cancel, ids[1]);
  REQUIRE(cancelled);
  CHECK(cancelled->status == run_status::cancelled);
  CHECK(h.events(ids[1]) == std::vector<std::string>{"run.created", "run.submitted",
                                                     "run.queued", "run.cancel.requested",
                                                     "run.failed"});
  // The actor that ended it is gone again; the queue closed the gap.
  CHECK(h.eventually([&] { return stats_of(h).run_actors == 0; }));
  CHECK(stats_of(h).queued == 2);
  CHECK(h.get(ids[0]).queue_position == 1);
  CHECK(h.get(ids[2]).queue_position == 2);

  auto refused = h.ask<bool>(actors::delete_atom::value, ids[2], false);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().detail == "Run is active; cancel it first or use force=true.");
  CHECK(*h.ask<bool>(actors::delete_atom::value, ids[2], true));
  CHECK(h.ask<model::run_record>(actors::get_atom::value, ids[2]).error().code ==
        model::errc::run_not_found);
  CHECK(*h.ask<bool>(actors::delete_atom::value, submitted, false));
  CHECK(h.eventually([&] {
    auto now = stats_of(h);
    return now.run_actors == 0 && now.queued == 1 && now.submitted == 0;
  }));
  CHECK(h.get(ids[0]).queue_position == 1);
}

TEST_CASE("an admitted run gets its actor while the runs behind it wait without one",
          "[actors][control]") {
  exec_harness h(true, actors::queue_config{1, 0});
  temp_dir a_dir, b_dir;
  auto a = h.start(sleeper(a_dir.str()));
  auto b = h.start(sleeper(b_dir.str()));
  REQUIRE(h.eventually([&] { return h.get(a).status == run_status::running; }));
  auto s = stats_of(h);
  CHECK(s.run_actors == 1);
  CHECK(s.queued == 1);
  CHECK(h.get(b).queue_position == 1);
  REQUIRE(h.control(control_action::cancel, a));
  REQUIRE(h.eventually([&] { return h.get(b).status == run_status::running; }));
  s = stats_of(h);
  CHECK(s.run_actors == 1);
  CHECK(s.queued == 0);
  REQUIRE(h.control(control_action::cancel, b));
  CHECK(h.finish(b).status == run_status::cancelled);
  CHECK(h.eventually([&] { return stats_of(h).run_actors == 0; }));
}

TEST_CASE("positions follow a model under random create, start, cancel and restart (property)",
          "[actors][control]") {
  temp_dir dir;
  auto make_store = actors::memory_store_factory();
  auto h = std::make_unique<exec_harness>(true, actors::queue_config{0, 0}, make_store);
  std::mt19937_64 rng(2026);
  std::vector<std::string> queue;      // expected order
  std::vector<std::string> submitted;  // expected submitted runs
  auto manifest = sleeper(dir.str());
  auto pick = [&](std::vector<std::string>& v) { return rng() % v.size(); };
  auto check = [&] {
    for (size_t i = 0; i < queue.size(); ++i) {
      auto r = h->get(queue[i]);
      REQUIRE(r.status == run_status::queued);
      REQUIRE(r.queue_position == i + 1);
    }
    for (const auto& id : submitted) REQUIRE(h->get(id).status == run_status::submitted);
    REQUIRE(h->eventually([&] { return stats_of(*h).run_actors == 0; }));
    auto s = stats_of(*h);
    REQUIRE(s.queued == queue.size());
    REQUIRE(s.submitted == submitted.size());
  };
  for (int step = 0; step < 300; ++step) {
    auto op = rng() % 6;
    if (op == 0) {
      submitted.push_back(h->create(manifest));
    } else if (op == 1) {
      auto run = actors::prepare_run(manifest);
      REQUIRE(run);
      auto r = h->ask<actors::create_result>(actors::create_atom::value, *run, true);
      REQUIRE(r);
      REQUIRE(r->record.queue_position == queue.size() + 1);
      queue.push_back(r->record.id);
    } else if (op == 2 && !submitted.empty()) {
      auto i = pick(submitted);
      auto r = h->ask<model::run_record>(actors::start_atom::value, submitted[i]);
      REQUIRE(r);
      REQUIRE(r->queue_position == queue.size() + 1);
      queue.push_back(submitted[i]);
      submitted.erase(submitted.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (op == 3 && !queue.empty()) {
      auto i = pick(queue);
      REQUIRE(h->control(control_action::cancel, queue[i])->status == run_status::cancelled);
      queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (op == 4 && !submitted.empty()) {
      auto i = pick(submitted);
      REQUIRE(h->control(control_action::cancel, submitted[i])->status == run_status::cancelled);
      submitted.erase(submitted.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (op == 5 && rng() % 10 == 0) {
      h.reset();  // restart over the same store
      h = std::make_unique<exec_harness>(true, actors::queue_config{0, 0}, make_store);
      check();
    }
    if (step % 30 == 0) check();
  }
  check();
}
