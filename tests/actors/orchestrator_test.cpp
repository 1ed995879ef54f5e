#include "actors/orchestrator.hpp"

#include <catch2/catch.hpp>

#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/run_submission.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/support/manifests.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace std::chrono_literals;

namespace {

// One actor system + orchestrator over a store factory; blocking helpers.
struct harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  orchestrator_actor orch;

  explicit harness(const store_factory& make_store, queue_config queue = {}) {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    orchestrator_config ocfg{make_store};
    ocfg.queue = queue;
    auto o = spawn_orchestrator(*sys, ocfg);
    REQUIRE(o);
    orch = *o;
  }
  ~harness() {
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }

  template <class T, class... Ts>
  model::result<T> ask(Ts... xs) {
    caf::scoped_actor self{*sys};
    std::optional<model::result<T>> out;
    self->request(orch, 5s, xs...).receive([&](T& v) { out.emplace(std::move(v)); },
                                           [&](caf::error& e) { out.emplace(to_problem(e)); });
    return std::move(*out);
  }

  model::result<create_result> create(const std::string& body) {
    auto run = prepare_run(body);
    REQUIRE(run);
    return ask<create_result>(create_atom::value, *run);
  }
};

}  // namespace

TEST_CASE("a created run is submitted, readable, listed and has two events", "[actors]") {
  harness h(memory_store_factory());
  auto created = h.create(testing::minimal_manifest());
  REQUIRE(created);
  CHECK(created->created);
  CHECK(created->record.status == model::run_status::submitted);
  auto id = created->record.id;

  auto got = h.ask<model::run_record>(get_atom::value, id);
  INFO((got ? "" : got.error().detail));
  REQUIRE(got);
  CHECK(got->workflow_name == "T");
  CHECK(got->labels == std::map<std::string, std::string>{{"team", "infra"}});

  auto page = h.ask<run_page>(list_atom::value, uint64_t{0}, uint64_t{20});
  REQUIRE(page);
  REQUIRE(page->runs.size() == 1);
  CHECK_FALSE(page->has_more);

  auto events = h.ask<event_page>(events_atom::value, id, uint64_t{1}, uint64_t{100});
  REQUIRE(events);
  REQUIRE(events->events.size() == 2);
  CHECK(events->events[0].find("\"run.created\"") != std::string::npos);
  CHECK(events->events[1].find("\"run.submitted\"") != std::string::npos);
}

TEST_CASE("an unknown run is not found", "[actors]") {
  harness h(memory_store_factory());
  auto got = h.ask<model::run_record>(get_atom::value, std::string("01JRZ3NDEKTSV4RRFFQ69G5FAV"));
  REQUIRE_FALSE(got);
  CHECK(got.error().code == model::errc::run_not_found);
}

TEST_CASE("repeating a run id is idempotent for the same manifest and a conflict otherwise",
          "[actors]") {
  harness h(memory_store_factory());
  const std::string id = "01JRZ3NDEKTSV4RRFFQ69G5FAV";
  REQUIRE(h.create(testing::minimal_manifest(id))->created);
  auto again = h.create(testing::minimal_manifest(id));
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->record.id == id);
  auto different = h.create(testing::minimal_manifest(id, "/elsewhere"));
  REQUIRE_FALSE(different);
  CHECK(different.error().code == model::errc::conflict);
}

TEST_CASE("concurrent creates all become durable and each gets its own run", "[actors]") {
  auto data = memory_store_factory();
  harness h(data);
  caf::scoped_actor self{*h.sys};
  const int n = 200;
  // All requests are in flight before the first answer is read.
  std::vector<decltype(self->request(h.orch, 5s, create_atom::value, model::new_run{}))> pending;
  for (int i = 0; i < n; ++i)
    pending.push_back(self->request(h.orch, 5s, create_atom::value,
                                    *prepare_run(testing::minimal_manifest())));
  int created = 0;
  for (auto& p : pending)
    p.receive([&](create_result& r) { created += r.created; }, [&](caf::error&) {});
  CHECK(created == n);
  auto page = h.ask<run_page>(list_atom::value, uint64_t{0}, uint64_t{1000});
  CHECK(page->runs.size() == n);
}

TEST_CASE("after a restart, submitted runs are served from the store and executing runs end "
          "terminated", "[actors]") {
  auto make_store = memory_store_factory();
  std::string id;
  {
    harness h(make_store);
    id = h.create(testing::minimal_manifest())->record.id;
  }
  harness h(make_store);
  auto got = h.ask<model::run_record>(get_atom::value, id);
  REQUIRE(got);
  CHECK(got->status == model::run_status::submitted);
  CHECK(got->last_seq == 2);
}

TEST_CASE("a restart ends executing runs terminated, or cancelled when a cancel was pending",
          "[actors]") {
  auto make_store = memory_store_factory();
  auto seed = [&](const std::string& id, model::run_status status, model::control_action pending) {
    store::run_write w;
    w.kind = store::write_kind::create;
    w.record.id = id;
    w.record.status = status;
    w.record.pending_control = pending;
    w.record.start_time_ms = 1000;
    w.manifest_bytes = "{}";
    REQUIRE((*make_store())->commit({w}));
  };
  seed("01JRZ3NDEKTSV4RRFFQ69G5FA1", model::run_status::running, model::control_action::none);
  seed("01JRZ3NDEKTSV4RRFFQ69G5FA2", model::run_status::paused, model::control_action::cancel);
  seed("01JRZ3NDEKTSV4RRFFQ69G5FA3", model::run_status::submitted, model::control_action::none);
  harness h(make_store);
  auto running = h.ask<model::run_record>(get_atom::value, std::string("01JRZ3NDEKTSV4RRFFQ69G5FA1"));
  CHECK(running->status == model::run_status::failed);
  CHECK(running->reason == model::status_reason::terminated);
  CHECK(running->error_message.find("restarted") != std::string::npos);
  auto paused = h.ask<model::run_record>(get_atom::value, std::string("01JRZ3NDEKTSV4RRFFQ69G5FA2"));
  CHECK(paused->status == model::run_status::cancelled);
  CHECK(paused->reason == model::status_reason::cancelled);
  CHECK(paused->pending_control == model::control_action::none);
  auto events = h.ask<event_page>(events_atom::value, std::string("01JRZ3NDEKTSV4RRFFQ69G5FA1"),
                                  uint64_t{1}, uint64_t{10});
  REQUIRE(events->events.size() == 1);
  CHECK(events->events[0].find("\"event\":\"run.failed\"") != std::string::npos);
  auto waiting = h.ask<model::run_record>(get_atom::value, std::string("01JRZ3NDEKTSV4RRFFQ69G5FA3"));
  CHECK(waiting->status == model::run_status::submitted);
}

namespace {

// Counts, for each write that reaches the store, what kind it is.
struct write_log {
  std::mutex mutex;
  std::vector<store::run_write> writes;
};

class logging_store final : public testing::forwarding_store {
 public:
  logging_store(std::unique_ptr<store::run_store> inner, std::shared_ptr<write_log> log)
      : forwarding_store(std::move(inner)), log_(std::move(log)) {}
  model::result<std::vector<store::write_outcome>> commit_unsynced(
      const std::vector<store::run_write>& writes) override {
    {
      std::lock_guard<std::mutex> lock(log_->mutex);
      log_->writes.insert(log_->writes.end(), writes.begin(), writes.end());
    }
    return forwarding_store::commit_unsynced(writes);
  }

 private:
  std::shared_ptr<write_log> log_;
};

}  // namespace

TEST_CASE("create with start is one write: the run is stored queued with its three events",
          "[actors]") {
  auto log = std::make_shared<write_log>();
  queue_config nothing_runs;
  nothing_runs.max_concurrent_runs = 0;
  harness h(testing::wrapped_factory<logging_store>(memory_store_factory(), log), nothing_runs);
  {
    std::lock_guard<std::mutex> lock(log->mutex);
    log->writes.clear();  // recovery
  }
  auto run = prepare_run(testing::minimal_manifest("01JQ0000000000000000000009"));
  REQUIRE(run);
  auto created = h.ask<create_result>(create_atom::value, *run, true);
  REQUIRE(created);
  CHECK(created->created);
  CHECK(created->record.status == model::run_status::queued);
  CHECK(created->record.queue_position == 1);
  {
    std::lock_guard<std::mutex> lock(log->mutex);
    REQUIRE(log->writes.size() == 1);
    const auto& w = log->writes[0];
    CHECK(w.kind == store::write_kind::create);
    CHECK(w.record.status == model::run_status::queued);
    CHECK(w.record.queue_seq >= 1);
    std::vector<std::string> names;
    for (const auto& e : w.events) names.push_back(e.event);
    CHECK(names == std::vector<std::string>{"run.created", "run.submitted", "run.queued"});
    CHECK(w.events.back().seq == 3);
    REQUIRE(w.envelopes.size() == 3);
    CHECK(w.envelopes[2].find("\"run.queued\"") != std::string::npos);
  }
  // The same bytes again: the existing run, not created, not queued twice.
  auto again = h.ask<create_result>(create_atom::value, *run, true);
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->record.status == model::run_status::queued);
  auto events = h.ask<event_page>(events_atom::value, run->record.id, uint64_t{1}, uint64_t{10});
  REQUIRE(events);
  CHECK(events->events.size() == 3);
}

TEST_CASE("preparing the same manifest bytes again gives the same definition and a new run",
          "[actors]") {
  auto body = testing::minimal_manifest();
  auto first = prepare_run(body);
  auto again = prepare_run(body);
  REQUIRE(first);
  REQUIRE(again);
  CHECK(again->definition == first->definition);
  CHECK(again->record.id != first->record.id);
  CHECK(again->manifest_bytes == body);
  CHECK(again->record.workflow_name == first->record.workflow_name);
  CHECK(again->events.size() == first->events.size());
  CHECK(again->events[0].id != first->events[0].id);
  CHECK(again->envelopes.size() == again->events.size());
  // Bytes that differ anywhere are prepared from scratch.
  auto other = prepare_run(testing::minimal_manifest("", "/srv"));
  REQUIRE(other);
  CHECK(other->definition != first->definition);
  // A manifest with its own run_id keeps it, from the cache too.
  auto with_id = testing::minimal_manifest("01JQ0000000000000000000042");
  CHECK(prepare_run(with_id)->record.id == "01JQ0000000000000000000042");
  CHECK(prepare_run(with_id)->record.id == "01JQ0000000000000000000042");
  // What fails, fails every time with the same words.
  std::string bad = body;
  bad.replace(bad.find("start -> exit"), 13, "start -> -> exit");
  auto b1 = prepare_run(bad);
  auto b2 = prepare_run(bad);
  REQUIRE_FALSE(b1);
  REQUIRE_FALSE(b2);
  CHECK(b1.error().detail == b2.error().detail);
}
