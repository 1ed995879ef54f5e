// The journal's pipelined group commit (actors/journal.hpp): nothing is
// answered or published before a sync that began after its commit; the
// next batch is written while a sync runs; a failing commit or sync
// answers every writer with storage_failure; a repeated run_id is decided
// in the store (created / existing / conflict).
#include "actors/journal.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/run_submission.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/wait.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

// What the test controls and sees of the store: a gate that holds every
// sync until opened, counters, and switches that make commits or syncs fail.
struct store_control {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = true;
  std::atomic<int> commits{0};
  std::atomic<int> syncs_begun{0};
  std::atomic<int> syncs_done{0};
  std::atomic<int> commits_before_last_sync{0};  // commits seen when the last sync began
  std::atomic<bool> fail_commit{false};
  std::atomic<bool> fail_sync{false};

  void set_open(bool o) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      open = o;
    }
    cv.notify_all();
  }
};

class gated_store final : public forwarding_store {
 public:
  gated_store(std::unique_ptr<store::run_store> inner, std::shared_ptr<store_control> c)
      : forwarding_store(std::move(inner)), c_(std::move(c)) {}
  model::result<std::vector<store::write_outcome>> commit_unsynced(
      const std::vector<store::run_write>& writes) override {
    if (c_->fail_commit) return model::make_problem(model::errc::storage_failure, "disk is full");
    auto out = forwarding_store::commit_unsynced(writes);
    ++c_->commits;
    return out;
  }
  model::result<model::done> sync() override {
    c_->commits_before_last_sync = c_->commits.load();
    ++c_->syncs_begun;
    std::unique_lock<std::mutex> lock(c_->mutex);
    c_->cv.wait(lock, [&] { return c_->open; });
    ++c_->syncs_done;
    if (c_->fail_sync) return model::make_problem(model::errc::storage_failure, "fdatasync: EIO");
    return model::done{};
  }

 private:
  std::shared_ptr<store_control> c_;
};

// Records one submission's outcome.
struct recording_waiter final : create_waiter {
  std::mutex mutex;
  std::optional<model::result<create_result>> outcome;
  void done(model::result<create_result> r) override {
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE_FALSE(outcome);  // exactly once
    outcome.emplace(std::move(r));
  }
  bool answered() {
    std::lock_guard<std::mutex> lock(mutex);
    return outcome.has_value();
  }
  model::result<create_result> get() {
    std::lock_guard<std::mutex> lock(mutex);
    return *outcome;
  }
};

struct published_log {
  std::mutex mutex;
  std::vector<std::string> run_ids;  // one per published event
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return run_ids.size();
  }
};

struct journal_harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<store_control> control = std::make_shared<store_control>();
  store_factory inner = memory_store_factory();
  std::shared_ptr<published_log> published = std::make_shared<published_log>();
  journal_actor journal;
  std::unique_ptr<store::run_store> reader;

  journal_harness() {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    // The log travels as a spawn argument: CAF 0.17 dereferences a null
    // argument tuple when a function actor takes none (UBSan reports it).
    auto listener = sys->spawn(
        [](event_listener_actor::pointer, std::shared_ptr<published_log> log)
            -> event_listener_actor::behavior_type {
          return {[log](publish_atom, std::vector<published_event>& events) {
            std::lock_guard<std::mutex> lock(log->mutex);
            for (auto& e : events) log->run_ids.push_back(e.run_id);
          }};
        },
        published);
    auto j = spawn_journal(*sys, wrapped_factory<gated_store>(inner, control), listener);
    REQUIRE(j);
    journal = *j;
    reader = std::move(*inner());
  }
  ~journal_harness() {
    control->set_open(true);
    caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }

  std::shared_ptr<recording_waiter> submit(const std::string& body) {
    auto run = prepare_run(body);
    REQUIRE(run);
    auto w = std::make_shared<recording_waiter>();
    submit_run(journal, std::move(*run), w);
    return w;
  }
  bool stored(const std::string& id) {
    auto r = reader->load_run(id);
    return r && r->has_value();
  }
};

const std::string kRunA = "01JQ0000000000000000000001";
const std::string kRunB = "01JQ0000000000000000000002";

}  // namespace

TEST_CASE("journal: a batch is answered and published only after a sync that began after "
          "its commit, and the next batch is written while that sync runs",
          "[actors][journal]") {
  journal_harness h;
  h.control->set_open(false);
  auto first = h.submit(minimal_manifest(kRunA));
  REQUIRE(eventually([&] { return h.control->syncs_begun >= 1; }));
  // Committed (a reader sees it) but not durable: nobody has heard.
  CHECK(h.stored(kRunA));
  CHECK_FALSE(first->answered());
  CHECK(h.published->size() == 0);

  // While that sync is held, the next batch is committed, not answered.
  auto second = h.submit(minimal_manifest(kRunB));
  REQUIRE(eventually([&] { return h.control->commits >= 2; }));
  CHECK(h.control->syncs_begun == 1);  // the first sync still runs
  CHECK_FALSE(second->answered());

  h.control->set_open(true);
  REQUIRE(eventually([&] { return first->answered() && second->answered(); }));
  auto a = first->get();
  REQUIRE(a);
  CHECK(a->created);
  CHECK(a->record.id == kRunA);
  REQUIRE(second->get());
  // The second batch was released by a sync that began after its commit.
  CHECK(h.control->syncs_begun >= 2);
  CHECK(h.control->commits_before_last_sync >= 2);
  REQUIRE(eventually([&] { return h.published->size() == 4; }));  // created + submitted each
}

TEST_CASE("journal: typed commit requests are answered after their sync, in order",
          "[actors][journal]") {
  journal_harness h;
  h.control->set_open(false);
  auto sub = h.submit(minimal_manifest(kRunA));
  REQUIRE(eventually([&] { return h.control->syncs_begun >= 1; }));
  // An empty commit, sent after the submission's batch: its answer means
  // everything before it is durable.
  std::atomic<int> flushed{0};  // 1 answered, -1 failed
  std::thread asker([&] {
    caf::scoped_actor self{*h.sys};
    self->request(h.journal, 10s, commit_atom::value, std::vector<store::run_write>{})
        .receive([&](const std::vector<store::write_outcome>&) { flushed = 1; },
                 [&](caf::error&) { flushed = -1; });
  });
  REQUIRE(eventually([&] { return h.control->commits >= 2; }));
  CHECK(flushed == 0);
  CHECK_FALSE(sub->answered());
  h.control->set_open(true);
  asker.join();
  CHECK(flushed == 1);
  CHECK(sub->answered());  // released by the same or an earlier sync
}

TEST_CASE("journal: a repeated run_id is created once, the same bytes answer existing, other "
          "bytes conflict", "[actors][journal]") {
  journal_harness h;
  h.control->set_open(false);
  std::vector<std::shared_ptr<recording_waiter>> same;
  for (int i = 0; i < 20; ++i) same.push_back(h.submit(minimal_manifest(kRunA)));
  auto other = h.submit(minimal_manifest(kRunA, "/var"));
  h.control->set_open(true);
  REQUIRE(eventually([&] {
    for (auto& w : same)
      if (!w->answered()) return false;
    return other->answered();
  }));
  int created = 0, existing = 0;
  for (auto& w : same) {
    auto r = w->get();
    REQUIRE(r);
    CHECK(r->record.id == kRunA);
    (r->created ? created : existing)++;
  }
  CHECK(created == 1);
  CHECK(existing == 19);
  auto c = other->get();
  REQUIRE_FALSE(c);
  CHECK(c.error().code == model::errc::conflict);
  CHECK(c.error().detail == "Run " + kRunA + " already exists with a different manifest.");
}

TEST_CASE("journal: a failing commit answers every writer with storage_failure and applies "
          "nothing, the journal works again once the store does", "[actors][journal]") {
  journal_harness h;
  h.control->fail_commit = true;
  auto a = h.submit(minimal_manifest(kRunA));
  caf::scoped_actor self{*h.sys};
  std::optional<model::problem> typed;
  self->request(h.journal, 10s, commit_atom::value, std::vector<store::run_write>{})
      .receive([](const std::vector<store::write_outcome>&) {},
               [&](caf::error& e) { typed = to_problem(e); });
  REQUIRE(typed);
  CHECK(typed->code == model::errc::storage_failure);
  REQUIRE(eventually([&] { return a->answered(); }));
  REQUIRE_FALSE(a->get());
  CHECK(a->get().error().code == model::errc::storage_failure);
  CHECK_FALSE(h.stored(kRunA));
  CHECK(h.published->size() == 0);

  h.control->fail_commit = false;
  auto again = h.submit(minimal_manifest(kRunA));
  REQUIRE(eventually([&] { return again->answered(); }));
  REQUIRE(again->get());
  CHECK(again->get()->created);
}

TEST_CASE("journal: a failed sync fails its batches and refuses every later write",
          "[actors][journal]") {
  journal_harness h;
  h.control->fail_sync = true;
  auto a = h.submit(minimal_manifest(kRunA));
  REQUIRE(eventually([&] { return a->answered(); }));
  REQUIRE_FALSE(a->get());
  CHECK(a->get().error().code == model::errc::storage_failure);
  CHECK(h.published->size() == 0);

  // After a failed fdatasync nothing later can be known durable.
  h.control->fail_sync = false;
  int syncs = h.control->syncs_begun;
  auto b = h.submit(minimal_manifest(kRunB));
  REQUIRE(eventually([&] { return b->answered(); }));
  REQUIRE_FALSE(b->get());
  CHECK(b->get().error().code == model::errc::storage_failure);
  CHECK(b->get().error().detail.find("restart the server") != std::string::npos);
  CHECK(h.control->syncs_begun == syncs);
  CHECK_FALSE(h.stored(kRunB));
}
