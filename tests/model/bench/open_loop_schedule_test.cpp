#include "model/bench/open_loop_schedule.hpp"

#include <catch2/catch.hpp>

using fabro::model::open_loop_schedule;
using fabro::model::requests_in;

TEST_CASE("an open loop schedules requests at a constant rate", "[model]") {
  open_loop_schedule s(500);
  CHECK(s.due_ns(0) == 0);
  CHECK(s.due_ns(1) == 2000000);
  CHECK(s.due_ns(500) == 1000000000);
  CHECK(s.due_by(0) == 1);
  CHECK(s.due_by(1999999) == 1);
  CHECK(s.due_by(2000000) == 2);
  CHECK(s.due_by(999999999) == 500);
  CHECK(requests_in(500, 5) == 2500);
  CHECK(requests_in(3, 0.5) == 2);
}

TEST_CASE("threads of an open loop interleave and together keep the rate", "[model]") {
  open_loop_schedule a(1000, 2, 0), b(1000, 2, 1);
  CHECK(a.due_ns(1) == 2000000);
  CHECK(b.due_ns(0) == 1000000);
  CHECK(a.due_by(10000000) + b.due_by(10000000) == open_loop_schedule(1000).due_by(10000000));
  CHECK(a.share_of(2001) == 1001);
  CHECK(b.share_of(2001) == 1000);
  CHECK(b.share_of(1) == 0);
}
