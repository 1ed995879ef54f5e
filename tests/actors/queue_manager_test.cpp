#include "actors/queue_manager.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <optional>
#include <random>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"

using namespace fabro::actors;
using namespace std::chrono_literals;

namespace {

// A launcher that records what it was given, in order.
struct launched_state {
  std::vector<std::string> runs;
};
using recorder_actor = caf::typed_actor<caf::reacts_to<launch_atom, std::string>,
                                        caf::replies_to<fabro::actors::get_atom>::with<std::vector<std::string>>>;

// `unused`: CAF 0.17 dereferences a null argument tuple for actors spawned
// without arguments (a UBSan report), so there is one.
recorder_actor::behavior_type recorder(recorder_actor::stateful_pointer<launched_state> self,
                                       int /*unused*/) {
  return {
      [=](launch_atom, const std::string& id) { self->state.runs.push_back(id); },
      [=](fabro::actors::get_atom) { return self->state.runs; },
  };
}

struct harness {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  queue_manager_actor queue;
  recorder_actor launched;
  std::unique_ptr<caf::scoped_actor> self;

  explicit harness(queue_config qc) {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    queue = spawn_queue_manager(*sys, qc);
    launched = sys->spawn(recorder, 0);
    self = std::make_unique<caf::scoped_actor>(*sys);
    (*self)->send(queue, caf::actor_cast<launcher_actor>(launched));
  }
  ~harness() {
    self.reset();
    caf::anon_send_exit(queue, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(launched, caf::exit_reason::user_shutdown);
    sys->await_all_actors_done();
  }
  template <class T, class Dest, class... Ts>
  T ask(const Dest& dest, Ts... xs) {
    T out{};
    (*self)->request(dest, 5s, xs...).receive([&](T& v) { out = std::move(v); },
                                               [&](caf::error&) { FAIL("request failed"); });
    return out;
  }
  fabro::model::result<uint64_t> enqueue(const std::string& id) {
    std::optional<fabro::model::result<uint64_t>> out;
    (*self)->request(queue, 5s, enqueue_atom::value, id)
        .receive([&](uint64_t p) { out.emplace(p); },
                 [&](caf::error& e) { out.emplace(to_problem(e)); });
    return *out;
  }
  std::vector<std::string> launched_runs() {
    // The queue's answer to stats comes after it sent every launch so far;
    // asking the recorder afterwards sees them all (FIFO per sender pair
    // is not enough across actors, so wait for the count to settle).
    auto stats = ask<queue_stats>(queue, stats_atom::value);
    (void)stats;
    return ask<std::vector<std::string>>(launched, fabro::actors::get_atom::value);
  }
};

}  // namespace

TEST_CASE("runs are admitted in FIFO order up to the concurrency limit", "[actors]") {
  harness h({2, 0});
  for (auto id : {"a", "b", "c", "d"}) REQUIRE(h.enqueue(id));
  auto stats = h.ask<queue_stats>(h.queue, stats_atom::value);
  CHECK(stats.active == 2);
  CHECK(stats.queued == 2);
  auto pos = h.ask<std::vector<uint64_t>>(h.queue, position_atom::value,
                                          std::vector<std::string>{"a", "c", "d", "x"});
  CHECK(pos == std::vector<uint64_t>{0, 1, 2, 0});
  (*h.self)->send(h.queue, release_atom::value, std::string("a"));
  pos = h.ask<std::vector<uint64_t>>(h.queue, position_atom::value, std::vector<std::string>{"d"});
  CHECK(pos == std::vector<uint64_t>{1});
}

TEST_CASE("a limit of zero admits nothing, and a full queue refuses", "[actors]") {
  harness h({0, 2});
  REQUIRE(h.enqueue("a"));
  REQUIRE(h.enqueue("b"));
  auto third = h.enqueue("c");
  REQUIRE_FALSE(third);
  CHECK(third.error().code == fabro::model::errc::queue_full);
  CHECK(*h.enqueue("a") == 1);  // already queued: its position, not an error
  CHECK(h.ask<queue_stats>(h.queue, stats_atom::value).active == 0);
}

TEST_CASE("queue positions stay exactly 1..N under random enqueue, cancel and release "
          "(property)", "[actors]") {
  const uint64_t limit = 3;
  harness h({limit, 0});
  std::mt19937_64 rng(4242);
  std::deque<std::string> queued;   // the expected queue
  std::set<std::string> active;     // the expected slot holders
  std::vector<std::string> expected_launches;
  uint64_t next = 0;
  auto admit = [&] {
    while (active.size() < limit && !queued.empty()) {
      active.insert(queued.front());
      expected_launches.push_back(queued.front());
      queued.pop_front();
    }
  };
  for (int step = 0; step < 3000; ++step) {
    int op = static_cast<int>(rng() % 3);
    if (op == 0 || (queued.empty() && active.empty())) {
      auto id = "r" + std::to_string(next++);
      auto pos = h.enqueue(id);
      REQUIRE(pos);
      CHECK(*pos == queued.size() + 1);
      queued.push_back(id);
      admit();
    } else if (op == 1 && !queued.empty()) {
      auto i = rng() % queued.size();
      CHECK(h.ask<bool>(h.queue, dequeue_atom::value, queued[i]));
      queued.erase(queued.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (!active.empty()) {
      auto it = active.begin();
      std::advance(it, static_cast<long>(rng() % active.size()));
      (*h.self)->send(h.queue, release_atom::value, *it);
      active.erase(it);
      admit();
    }
    if (step % 50 == 0 || step == 2999) {
      std::vector<std::string> ids(queued.begin(), queued.end());
      auto pos = h.ask<std::vector<uint64_t>>(h.queue, position_atom::value, ids);
      for (size_t i = 0; i < ids.size(); ++i) REQUIRE(pos[i] == i + 1);
      auto stats = h.ask<queue_stats>(h.queue, stats_atom::value);
      REQUIRE(stats.queued == queued.size());
      REQUIRE(stats.active == active.size());
      REQUIRE(stats.active <= limit);
    }
  }
  // Launches happen in exactly the FIFO order the model predicts; the
  // recorder receives them asynchronously, so wait until it has them all.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<std::string> got;
  do {
    got = h.launched_runs();
  } while (got.size() < expected_launches.size() && std::chrono::steady_clock::now() < deadline);
  CHECK(got == expected_launches);
}

namespace {

fabro::model::result<uint64_t> reserve(harness& h, const std::string& id) {
  std::optional<fabro::model::result<uint64_t>> out;
  (*h.self)->request(h.queue, 5s, reserve_atom::value, id)
      .receive([&](uint64_t s) { out.emplace(s); },
               [&](caf::error& e) { out.emplace(to_problem(e)); });
  return *out;
}

}  // namespace

TEST_CASE("a reserved run holds its place and a sequence number but is admitted only once "
          "confirmed", "[actors]") {
  harness h({1, 0});
  auto a = reserve(h, "a");
  auto b = reserve(h, "b");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*b == *a + 1);
  CHECK(h.ask<std::vector<uint64_t>>(h.queue, position_atom::value,
                                     std::vector<std::string>{"a", "b"}) ==
        std::vector<uint64_t>{1, 2});
  // b is confirmed first, but a (reserved, ahead of it) is not durable yet:
  // nobody starts.
  CHECK(h.ask<uint64_t>(h.queue, confirm_atom::value, std::string("b")) == 2);
  auto stats = h.ask<queue_stats>(h.queue, stats_atom::value);
  CHECK(stats.active == 0);
  CHECK(stats.reserved == 1);
  // a's commit failed: it leaves, b moves up and starts.
  (*h.self)->send(h.queue, abandon_atom::value, std::string("a"));
  stats = h.ask<queue_stats>(h.queue, stats_atom::value);
  CHECK(stats.active == 1);
  CHECK(stats.queued == 0);
  CHECK(h.launched_runs() == std::vector<std::string>{"b"});
  // Reserving a queued id is refused; confirming an unknown one answers 0.
  REQUIRE(reserve(h, "c"));
  auto again = reserve(h, "c");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == fabro::model::errc::conflict);
  CHECK(h.ask<uint64_t>(h.queue, confirm_atom::value, std::string("zz")) == 0);
}

TEST_CASE("reservations count against max_queued_runs", "[actors]") {
  harness h({0, 2});
  REQUIRE(reserve(h, "a"));
  REQUIRE(h.enqueue("b"));
  auto full = reserve(h, "c");
  REQUIRE_FALSE(full);
  CHECK(full.error().code == fabro::model::errc::queue_full);
  (*h.self)->send(h.queue, abandon_atom::value, std::string("a"));
  CHECK(reserve(h, "c"));
}

TEST_CASE("positions and launches follow the model under random reserve, confirm, abandon, "
          "cancel, release and restart (property)", "[actors]") {
  const uint64_t limit = 2;
  struct entry {
    std::string id;
    uint64_t seq;
    bool confirmed;
  };
  std::mt19937_64 rng(777);
  std::deque<entry> queue;        // the expected queue, reserved entries included
  std::set<std::string> active;   // the expected slot holders
  std::vector<std::string> expected_launches;
  uint64_t next_id = 0, next_seq = 1;
  auto h = std::make_unique<harness>(queue_config{limit, 0});
  auto admit = [&] {
    while (active.size() < limit && !queue.empty() && queue.front().confirmed) {
      active.insert(queue.front().id);
      expected_launches.push_back(queue.front().id);
      queue.pop_front();
    }
  };
  auto pick = [&](bool confirmed) -> std::optional<size_t> {
    std::vector<size_t> at;
    for (size_t i = 0; i < queue.size(); ++i)
      if (queue[i].confirmed == confirmed) at.push_back(i);
    if (at.empty()) return std::nullopt;
    return at[rng() % at.size()];
  };
  auto check_launches = [&] {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    std::vector<std::string> got;
    do {
      got = h->launched_runs();
    } while (got.size() < expected_launches.size() &&
             std::chrono::steady_clock::now() < deadline);
    REQUIRE(got == expected_launches);
  };
  for (int step = 0; step < 2500; ++step) {
    int op = static_cast<int>(rng() % 7);
    if (op <= 1) {
      auto id = "r" + std::to_string(next_id++);
      auto seq = reserve(*h, id);
      REQUIRE(seq);
      CHECK(*seq == next_seq);
      next_seq = *seq + 1;
      queue.push_back({id, *seq, false});
    } else if (op == 2) {
      if (auto i = pick(false)) {
        auto pos = h->ask<uint64_t>(h->queue, confirm_atom::value, queue[*i].id);
        CHECK(pos == *i + 1);
        queue[*i].confirmed = true;
        admit();
      }
    } else if (op == 3) {
      if (auto i = pick(false)) {
        (*h->self)->send(h->queue, abandon_atom::value, queue[*i].id);
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(*i));
        admit();
      }
    } else if (op == 4) {
      if (auto i = pick(true)) {
        CHECK(h->ask<bool>(h->queue, dequeue_atom::value, queue[*i].id));
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(*i));
        admit();
      }
    } else if (op == 5 && !active.empty()) {
      auto it = active.begin();
      std::advance(it, static_cast<long>(rng() % active.size()));
      (*h->self)->send(h->queue, release_atom::value, *it);
      active.erase(it);
      admit();
    } else if (op == 6 && rng() % 20 == 0) {
      // Restart: what was durable as queued comes back in sequence order;
      // reservations and slots are gone (recovery ends executing runs).
      check_launches();
      std::vector<std::string> persisted;
      uint64_t last_seq = 0;
      std::deque<entry> kept;
      for (auto& e : queue)
        if (e.confirmed) {
          persisted.push_back(e.id);
          last_seq = std::max(last_seq, e.seq);
          kept.push_back(e);
        }
      queue = std::move(kept);
      active.clear();
      expected_launches.clear();
      h.reset();
      h = std::make_unique<harness>(queue_config{limit, 0});
      // The harness set the launcher already: restore before anything else.
      (*h->self)->send(h->queue, restore_atom::value, persisted, last_seq);
      admit();
      next_seq = last_seq + 1;
    }
    if (step % 25 == 0) {
      std::vector<std::string> ids;
      for (auto& e : queue) ids.push_back(e.id);
      auto pos = h->ask<std::vector<uint64_t>>(h->queue, position_atom::value, ids);
      for (size_t i = 0; i < ids.size(); ++i) REQUIRE(pos[i] == i + 1);
      auto stats = h->ask<queue_stats>(h->queue, stats_atom::value);
      REQUIRE(stats.queued == queue.size());
      REQUIRE(stats.active == active.size());
    }
  }
  check_launches();
}
