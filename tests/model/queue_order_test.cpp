#include "model/queue_order.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <random>

using fabro::model::queue_order;

TEST_CASE("queued runs have positions 1..n in enqueue order", "[model]") {
  queue_order q;
  CHECK(q.push("r1") == 1);
  CHECK(q.push("r2") == 2);
  CHECK(q.push("r3") == 3);
  CHECK(q.position_of("r1") == 1);
  CHECK(q.position_of("r3") == 3);
  CHECK(q.position_of("nope") == 0);
  CHECK(*q.front() == "r1");
}

TEST_CASE("cancelling a queued run closes the gap behind it", "[model]") {
  queue_order q;
  q.push("r1");
  q.push("r2");
  q.push("r3");
  CHECK(q.remove("r2"));
  CHECK_FALSE(q.remove("r2"));
  CHECK(q.position_of("r3") == 2);
  CHECK(q.size() == 2);
}

TEST_CASE("taking the head moves everyone up", "[model]") {
  queue_order q;
  q.push("a");
  q.push("b");
  CHECK(*q.pop_front() == "a");
  CHECK(q.position_of("b") == 1);
  CHECK(*q.pop_front() == "b");
  CHECK_FALSE(q.pop_front());
  CHECK(q.empty());
}

TEST_CASE("positions stay exact under random enqueue, cancel and start (property)", "[model]") {
  // A deque is the obviously-correct model; compare after every step.
  std::mt19937_64 rng(20261128);
  queue_order q;
  std::deque<std::string> model;
  uint64_t next = 0;
  for (int step = 0; step < 50000; ++step) {
    int op = static_cast<int>(rng() % 10);
    if (op < 5 || model.empty()) {
      auto id = "run" + std::to_string(next++);
      CHECK(q.push(id) == model.size() + 1);
      model.push_back(id);
    } else if (op < 8) {
      auto i = rng() % model.size();
      REQUIRE(q.remove(model[i]));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      REQUIRE(*q.pop_front() == model.front());
      model.pop_front();
    }
    REQUIRE(q.size() == model.size());
    if (!model.empty()) {
      auto i = rng() % model.size();
      REQUIRE(q.position_of(model[i]) == i + 1);
      REQUIRE(*q.at(i + 1) == model[i]);
      REQUIRE(*q.front() == model.front());
    }
  }
  for (size_t i = 0; i < model.size(); ++i) REQUIRE(q.position_of(model[i]) == i + 1);
}
