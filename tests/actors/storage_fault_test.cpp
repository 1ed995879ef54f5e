// The run actor under a failing store (actors/run_state.hpp's commit gate):
// a request whose commit fails is refused and undone, the run's own
// progress waits and is committed once the store recovers, and the event
// log has no gap.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>

#include "tests/actors/execution_harness.hpp"
#include "tests/support/forwarding_store.hpp"

using namespace fabro;
using namespace fabro::testing;
using model::run_status;

namespace {

// A store whose commits fail (applying nothing) while `failing` is set.
class switchable_store final : public forwarding_store {
 public:
  switchable_store(std::unique_ptr<store::run_store> inner, std::shared_ptr<std::atomic<bool>> failing)
      : forwarding_store(std::move(inner)), failing_(std::move(failing)) {}
  model::result<std::vector<store::write_outcome>> commit(
      const std::vector<store::run_write>& writes) override {
    if (failing_->load())
      return model::make_problem(model::errc::storage_failure, "commit: database or disk is full");
    return forwarding_store::commit(writes);
  }
  model::result<std::vector<store::write_outcome>> commit_unsynced(
      const std::vector<store::run_write>& writes) override {
    return commit(writes);
  }

 private:
  std::shared_ptr<std::atomic<bool>> failing_;
};

actors::store_factory switchable(std::shared_ptr<std::atomic<bool>> failing) {
  return wrapped_factory<switchable_store>(actors::memory_store_factory(), failing);
}

}  // namespace

TEST_CASE("a failing store refuses requests without changing the run, and the run's own "
          "progress waits for the store", "[actors][storage]") {
  auto failing = std::make_shared<std::atomic<bool>>(false);
  exec_harness h(true, {}, switchable(failing));
  temp_dir dir;
  auto id = h.start(workflow_manifest(R"(digraph S { start [shape=Mdiamond] exit [shape=Msquare]
      work [shape=parallelogram, script="while [ ! -e go ]; do sleep 0.01; done; echo done; touch finished"]
      start -> work -> exit })", dir.str()));
  REQUIRE(h.eventually([&] { return h.get(id).status == run_status::running; }));
  auto events_before = h.events(id);

  failing->store(true);
  // Requests: refused at once with storage_failure, nothing changed.
  auto pause = h.control(model::control_action::pause, id);
  REQUIRE(!pause);
  CHECK(pause.error().code == model::errc::storage_failure);
  auto cancel = h.control(model::control_action::cancel, id);
  REQUIRE(!cancel);
  CHECK(cancel.error().code == model::errc::storage_failure);
  CHECK(h.get(id).status == run_status::running);
  CHECK(h.get(id).pending_control == model::control_action::none);
  auto created = actors::prepare_run(workflow_manifest("digraph X { start [shape=Mdiamond] "
                                                       "exit [shape=Msquare] start -> exit }",
                                                       dir.str()));
  REQUIRE(created);
  auto refused = h.ask<actors::create_result>(actors::create_atom::value, *created);
  REQUIRE(!refused);
  CHECK(refused.error().code == model::errc::storage_failure);

  // The command finishes while the store fails: the run waits at its commit.
  { std::ofstream(dir.path / "go") << "1"; }
  REQUIRE(h.eventually([&] { return std::filesystem::exists(dir.path / "finished"); }));
  auto probe = h.control(model::control_action::pause, id);  // makes the run try its commit
  REQUIRE(!probe);
  CHECK(probe.error().code == model::errc::storage_failure);
  CHECK(h.get(id).status == run_status::running);
  CHECK(h.events(id) == events_before);

  failing->store(false);
  auto r = h.finish(id);
  CHECK(r.status == run_status::completed);
  // Every event once, seq contiguous (events() checks), nothing refused in it.
  auto all = h.events(id);
  CHECK(std::count(all.begin(), all.end(), "command.completed work") == 1);
  CHECK(std::count(all.begin(), all.end(), "run.pause.requested") == 0);
  CHECK(std::count(all.begin(), all.end(), "run.cancel.requested") == 0);
  CHECK(all.back() == "run.completed");
}
