#include "actors/event_hub.hpp"

#include <catch2/catch.hpp>

#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/event_subscriber.hpp"
#include "actors/run_submission.hpp"
#include "tests/support/manifests.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace std::chrono_literals;

namespace {

// A sink that keeps what it was given; can pretend to be slow or gone.
class memory_sink final : public event_sink {
 public:
  status write(std::string_view bytes) override {
    std::lock_guard<std::mutex> g(mutex_);
    if (gone_) return status::closed;
    if (stalled_) {
      backlog_ += bytes.size();
      return status::ok;
    }
    text_.append(bytes);
    return status::ok;
  }
  status flush() override { return gone_ ? status::closed : status::ok; }
  void close() override {
    std::lock_guard<std::mutex> g(mutex_);
    closed_ = true;
  }
  size_t pending() const override {
    std::lock_guard<std::mutex> g(mutex_);
    return backlog_;
  }
  std::string text() const {
    std::lock_guard<std::mutex> g(mutex_);
    return text_;
  }
  bool closed() const {
    std::lock_guard<std::mutex> g(mutex_);
    return closed_;
  }
  void stall() { stalled_ = true; }
  void vanish() { gone_ = true; }

 private:
  mutable std::mutex mutex_;
  std::string text_;
  size_t backlog_ = 0;
  bool closed_ = false;
  std::atomic<bool> stalled_{false};
  std::atomic<bool> gone_{false};
};

struct harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  orchestrator_actor orch;
  event_hub_actor hub;

  harness() {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    orch = *spawn_orchestrator(*sys, orchestrator_config{memory_store_factory()});
    event_hub_config hc;
    hc.keepalive = 200ms;
    hc.max_pending_bytes = 4096;
    hub = spawn_event_hub(*sys, orch, hc);
  }
  ~harness() {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(orch, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }
  std::string create_run() {
    caf::scoped_actor self{*sys};
    std::string id;
    self->request(orch, 5s, create_atom::value, *prepare_run(testing::minimal_manifest()))
        .receive([&](create_result& r) { id = r.record.id; }, [](caf::error&) {});
    return id;
  }
  uint64_t open_subscriptions() {
    caf::scoped_actor self{*sys};
    uint64_t n = 0;
    self->request(hub, 5s, get_atom::value).receive([&](uint64_t v) { n = v; }, [](caf::error&) {});
    return n;
  }
  void publish(const std::string& run, uint64_t seq, const std::string& name) {
    published_event e{run, seq, name,
                      "{\"seq\":" + std::to_string(seq) + ",\"event\":\"" + name + "\"}"};
    caf::anon_send(hub, publish_atom::value, std::vector<published_event>{e});
  }
};

// Waits for a condition with a deadline (no fixed sleeps).
template <class F>
bool eventually(F f) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

}  // namespace

TEST_CASE("a per-run stream replays the log, goes live without gap or duplicate, and ends "
          "after the terminal event", "[actors]") {
  harness h;
  auto id = h.create_run();  // its log: seq 1 run.created, 2 run.submitted
  auto sink = std::make_shared<memory_sink>();
  // A live event that arrives while the replay is under way must appear once.
  caf::anon_send(h.hub, subscribe_atom::value, subscription{sink, id, 1, {}});
  h.publish(id, 2, "run.submitted");  // overlaps the replay
  h.publish(id, 3, "run.starting");
  h.publish(id, 4, "run.completed");
  REQUIRE(eventually([&] { return sink->closed(); }));
  auto text = sink->text();
  CHECK(text.find("id: 1\ndata: ") == 0);
  auto p2 = text.find("id: 2\n");
  auto p3 = text.find("id: 3\n");
  auto p4 = text.find("id: 4\n");
  CHECK(p2 != std::string::npos);
  CHECK(text.find("id: 2\n", p2 + 1) == std::string::npos);
  CHECK(p2 < p3);
  CHECK(p3 < p4);
  const std::string last = "\"event\":\"run.completed\"}\n\n";
  CHECK(text.compare(text.size() - last.size(), last.size(), last) == 0);
  CHECK(eventually([&] { return h.open_subscriptions() == 0; }));
}

TEST_CASE("a global stream gets live events of every run, or only of the listed runs",
          "[actors]") {
  harness h;
  auto all = std::make_shared<memory_sink>();
  auto only_a = std::make_shared<memory_sink>();
  caf::anon_send(h.hub, subscribe_atom::value, subscription{all, "", 0, {}});
  caf::anon_send(h.hub, subscribe_atom::value, subscription{only_a, "", 0, {"A"}});
  REQUIRE(eventually([&] { return h.open_subscriptions() == 2; }));
  h.publish("A", 5, "stage.started");
  h.publish("B", 7, "run.completed");
  REQUIRE(eventually([&] { return all->text().find("id: 7") != std::string::npos; }));
  CHECK(all->text().find("id: 5") != std::string::npos);
  CHECK(only_a->text().find("id: 5") != std::string::npos);
  CHECK(only_a->text().find("id: 7") == std::string::npos);
  CHECK_FALSE(all->closed());  // global streams never end on a run's terminal event
}

TEST_CASE("a reset ends every stream with a comment saying to reconnect", "[actors]") {
  harness h;
  auto all = std::make_shared<memory_sink>();
  auto one = std::make_shared<memory_sink>();
  caf::anon_send(h.hub, subscribe_atom::value, subscription{all, "", 0, {}});
  caf::anon_send(h.hub, subscribe_atom::value, subscription{one, h.create_run(), 1, {}});
  REQUIRE(eventually([&] { return h.open_subscriptions() == 2; }));
  caf::anon_send(h.hub, reset_hub_atom::value);
  REQUIRE(eventually([&] { return all->closed() && one->closed(); }));
  CHECK(h.open_subscriptions() == 0);
  const std::string last = ": the queue authority changed; reconnect\n\n";
  for (const auto& sink : {all, one}) {
    auto text = sink->text();
    REQUIRE(text.size() >= last.size());
    CHECK(text.compare(text.size() - last.size(), last.size(), last) == 0);
  }
}

TEST_CASE("idle streams get keep-alive comments and gone consumers are dropped", "[actors]") {
  harness h;
  auto sink = std::make_shared<memory_sink>();
  caf::anon_send(h.hub, subscribe_atom::value, subscription{sink, "", 0, {}});
  REQUIRE(eventually([&] { return sink->text().find(": keep-alive\n\n") != std::string::npos; }));
  sink->vanish();
  CHECK(eventually([&] { return h.open_subscriptions() == 0; }));
}

TEST_CASE("a consumer too far behind is disconnected so memory stays bounded", "[actors]") {
  harness h;
  auto sink = std::make_shared<memory_sink>();
  caf::anon_send(h.hub, subscribe_atom::value, subscription{sink, "", 0, {}});
  REQUIRE(eventually([&] { return h.open_subscriptions() == 1; }));
  sink->stall();
  for (uint64_t i = 1; i <= 200; ++i) h.publish("A", i, "stage.started");  // > 4 KiB
  CHECK(eventually([&] { return sink->closed(); }));
  CHECK(eventually([&] { return h.open_subscriptions() == 0; }));
}

TEST_CASE("a stream on an unknown run ends at once", "[actors]") {
  harness h;
  auto sink = std::make_shared<memory_sink>();
  caf::anon_send(h.hub, subscribe_atom::value,
                 subscription{sink, "01JRZ3NDEKTSV4RRFFQ69G5FAV", 1, {}});
  CHECK(eventually([&] { return sink->closed(); }));
}

TEST_CASE("an actor subscribed to a run gets its log then live events as messages, then the end",
          "[actors]") {
  harness h;
  auto id = h.create_run();  // seq 1 run.created, 2 run.submitted
  caf::scoped_actor self{*h.sys};
  caf::anon_send(h.hub, subscribe_atom::value,
                 run_events_to(caf::actor_cast<caf::actor>(self), id, 1));
  h.publish(id, 2, "run.submitted");  // overlaps the replay: delivered once
  h.publish(id, 3, "run.starting");
  h.publish(id, 4, "run.completed");
  std::vector<uint64_t> seqs;
  std::vector<std::string> envelopes;
  bool ended = false;
  while (!ended) {
    bool got = false;
    self->receive(
        [&](run_event_atom, const std::string& run, uint64_t seq, const std::string& envelope) {
          CHECK(run == id);
          seqs.push_back(seq);
          envelopes.push_back(envelope);
          got = true;
        },
        [&](events_end_atom, const std::string& run) {
          CHECK(run == id);
          ended = got = true;
        },
        caf::after(5s) >> [] {});
    REQUIRE(got);
  }
  CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(envelopes[0].find("\"event\":\"run.created\"") != std::string::npos);
  CHECK(envelopes[3] == "{\"seq\":4,\"event\":\"run.completed\"}");
}

TEST_CASE("an actor subscribed to every run gets each event with its run", "[actors]") {
  harness h;
  caf::scoped_actor self{*h.sys};
  caf::anon_send(h.hub, subscribe_atom::value, all_events_to(caf::actor_cast<caf::actor>(self)));
  REQUIRE(eventually([&] { return h.open_subscriptions() == 1; }));
  auto a = h.create_run();
  auto b = h.create_run();
  // The journal publishes nothing here (no listener); these stand for its events.
  caf::anon_send(h.hub, publish_atom::value,
                 std::vector<published_event>{
                     {a, 3, "run.queued", "{\"run_id\":\"" + a + "\",\"seq\":3}"},
                     {b, 3, "run.queued", "{\"run_id\":\"" + b + "\",\"seq\":3}"}});
  std::vector<std::string> runs;
  for (int i = 0; i < 2; ++i)
    self->receive(
        [&](run_event_atom, const std::string& run, uint64_t seq, const std::string&) {
          CHECK(seq == 3);
          runs.push_back(run);
        },
        caf::after(5s) >> [&] { FAIL("no event"); });
  CHECK(runs == std::vector<std::string>{a, b});
}
