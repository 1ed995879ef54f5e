// A node's gateway and the authority's endpoint (actors/cluster.hpp), in
// one actor system: what the gateway answers with and without a target,
// and which hubs the endpoint gives the orchestrator's events to. Across
// processes: tests/e2e/postgres_store_test.cpp.
#include "actors/cluster.hpp"

#include <catch2/catch.hpp>

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/run_submission.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/wait.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace std::chrono_literals;

namespace {

struct harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor gateway;
  orchestrator_actor orch;

  harness() {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    gateway = spawn_orchestrator_gateway(*sys);
    auto o = spawn_orchestrator(*sys, orchestrator_config{memory_store_factory()});
    REQUIRE(o);
    orch = *o;
  }
  ~harness() {
    caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }

  template <class T, class... Ts>
  model::result<T> ask(Ts... xs) {
    caf::scoped_actor self{*sys};
    std::optional<model::result<T>> out;
    self->request(as_orchestrator(gateway), 5s, xs...)
        .receive([&](T& v) { out.emplace(std::move(v)); },
                 [&](caf::error& e) { out.emplace(to_problem(e)); });
    return std::move(*out);
  }
};

// Stands in for a node's event hub: counts the events published to it.
caf::behavior counting_hub(caf::event_based_actor*, std::shared_ptr<std::atomic<int>> seen) {
  return {
      [=](publish_atom, std::vector<published_event>& events) {
        *seen += static_cast<int>(events.size());
      },
  };
}

}  // namespace

TEST_CASE("a gateway with no queue authority answers 503 and creates nothing, with one it "
          "relays requests and their errors", "[actors][cluster]") {
  harness h;
  auto run = prepare_run(testing::minimal_manifest());
  REQUIRE(run);
  auto refused = h.ask<create_result>(create_atom::value, *run);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::errc::unavailable);
  CHECK(refused.error().detail.find("No queue authority is reachable") != std::string::npos);

  caf::anon_send(h.gateway, retarget_atom::value, h.orch);
  bool created_now = false;  // by this request: the refused one left nothing
  REQUIRE(testing::eventually([&] {
    auto r = h.ask<create_result>(create_atom::value, *run);
    if (r) created_now = r->created;
    return static_cast<bool>(r);
  }));
  CHECK(created_now);
  auto got = h.ask<model::run_record>(get_atom::value, run->record.id);
  REQUIRE(got);
  CHECK(got->status == model::run_status::submitted);
  // An error answer comes back as the error it is.
  auto missing = h.ask<model::run_record>(get_atom::value, std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == model::errc::run_not_found);
  auto started = h.ask<model::run_record>(start_atom::value, run->record.id);
  REQUIRE(started);
  CHECK(started->status != model::run_status::submitted);

  caf::anon_send(h.gateway, retarget_atom::value);
  CHECK(testing::eventually([&] {
    auto again = h.ask<model::run_record>(get_atom::value, run->record.id);
    return !again && again.error().code == model::errc::unavailable;
  }));
}

TEST_CASE("a gateway hands out its orchestrator's journal only while it has a local one",
          "[actors][cluster]") {
  harness h;
  caf::scoped_actor self{*h.sys};
  auto intake = [&] {
    journal_actor journal;
    self->request(as_orchestrator(h.gateway), 5s, intake_atom::value)
        .receive([&](journal_actor& j) { journal = j; }, [&](caf::error&) {});
    return journal;
  };
  CHECK_FALSE(intake());
  caf::anon_send(h.gateway, retarget_atom::value, h.orch);
  journal_actor direct;
  self->request(h.orch, 5s, intake_atom::value)
      .receive([&](journal_actor& j) { direct = j; }, [&](caf::error&) {});
  REQUIRE(direct);
  CHECK(testing::eventually([&] { return intake() == direct; }));
}

TEST_CASE("the cluster endpoint hands out the orchestrator once it has it and gives its "
          "events to its own hub and to every joined hub", "[actors][cluster]") {
  harness h;
  auto local = std::make_shared<std::atomic<int>>(0);
  auto joined = std::make_shared<std::atomic<int>>(0);
  auto local_hub = caf::actor_cast<event_hub_actor>(h.sys->spawn(counting_hub, local));
  auto node_hub = caf::actor_cast<event_hub_actor>(h.sys->spawn(counting_hub, joined));
  auto endpoint = spawn_cluster_endpoint(*h.sys, local_hub);
  caf::scoped_actor self{*h.sys};

  // Before it knows the orchestrator, a join is refused.
  bool early_refused = false;
  self->request(endpoint, 5s, join_atom::value, node_hub, executor_actor{}, std::string("n"),
                uint64_t{0})
      .receive([&](orchestrator_actor&) {}, [&](caf::error&) { early_refused = true; });
  CHECK(early_refused);

  self->send(endpoint, h.orch);
  orchestrator_actor handed;
  self->request(endpoint, 5s, join_atom::value, node_hub, executor_actor{}, std::string("n"),
                uint64_t{0})
      .receive([&](orchestrator_actor& o) { handed = o; }, [&](caf::error&) {});
  CHECK(handed == h.orch);

  published_event e;
  e.run_id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  e.seq = 1;
  e.event = "run.created";
  self->send(endpoint, publish_atom::value, std::vector<published_event>{e, e});
  CHECK(testing::eventually([&] { return *local == 2 && *joined == 2; }));

  caf::anon_send_exit(node_hub, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(endpoint, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(local_hub, caf::exit_reason::user_shutdown);
}
