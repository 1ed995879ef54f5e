#include "model/waiting_runs.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <unordered_map>

#include "model/ulid.hpp"

using namespace fabro::model;

TEST_CASE("waiting runs are found by id with their status and counted by it", "[model]") {
  waiting_runs w;
  const std::string a = "01JRZ3NDEKTSV4RRFFQ69G5FAV", b = "01JRZ3NDEKTSV4RRFFQ69G5FAW";
  CHECK(w.put(a, run_status::submitted));
  CHECK(w.put(b, run_status::queued));
  CHECK(w.status_of(a) == run_status::submitted);
  CHECK(w.status_of(b) == run_status::queued);
  CHECK(w.size() == 2);
  CHECK(w.queued() == 1);
  CHECK(w.submitted() == 1);
  CHECK(w.put(a, run_status::queued));  // started
  CHECK(w.queued() == 2);
  CHECK(w.submitted() == 0);
  CHECK(w.erase(b));
  CHECK_FALSE(w.erase(b));
  CHECK_FALSE(w.status_of(b));
  CHECK(w.queued() == 1);
  CHECK(w.size() == 1);
}

TEST_CASE("ids that differ in any digit, the top two bits included, are different runs",
          "[model]") {
  waiting_runs w;
  // 26 digits are 130 bits: "7…" and "F…" differ only above the low 128.
  const std::string low = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", high = "FZZZZZZZZZZZZZZZZZZZZZZZZZ";
  REQUIRE(w.put(low, run_status::submitted));
  REQUIRE(w.put(high, run_status::queued));
  CHECK(w.status_of(low) == run_status::submitted);
  CHECK(w.status_of(high) == run_status::queued);
  std::string id = "01JRZ3NDEKTSV4RRFFQ69G5FAV";
  for (size_t i = 0; i < id.size(); ++i) {
    auto other = id;
    other[i] = other[i] == '0' ? '1' : '0';
    INFO(other);
    CHECK_FALSE(w.status_of(other));
  }
}

TEST_CASE("a non-canonical id is refused and never found", "[model]") {
  waiting_runs w;
  for (const char* bad : {"", "r1", "01jrz3ndektsv4rrffq69g5fav", "01JRZ3NDEKTSV4RRFFQ69G5FAI",
                          "01JRZ3NDEKTSV4RRFFQ69G5FAVX"}) {
    INFO(bad);
    CHECK_FALSE(w.put(bad, run_status::submitted));
    CHECK_FALSE(w.status_of(bad));
  }
  CHECK(w.size() == 0);
}

TEST_CASE("the index agrees with a map over 20,000 random operations (property)", "[model]") {
  waiting_runs w;
  std::unordered_map<std::string, run_status> expected;
  std::vector<std::string> ids;
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::array<uint8_t, 10> random{};
    for (auto& b : random) b = static_cast<uint8_t>(rng());
    ids.push_back(make_ulid(1700000000000ULL + rng() % 1000, random));
  }
  for (int step = 0; step < 20000; ++step) {
    const auto& id = ids[rng() % ids.size()];
    switch (rng() % 3) {
      case 0: {
        auto s = rng() % 2 ? run_status::queued : run_status::submitted;
        REQUIRE(w.put(id, s));
        expected[id] = s;
        break;
      }
      case 1:
        REQUIRE(w.erase(id) == (expected.erase(id) == 1));
        break;
      default: {
        auto it = expected.find(id);
        auto got = w.status_of(id);
        REQUIRE(got.has_value() == (it != expected.end()));
        if (got) REQUIRE(*got == it->second);
      }
    }
  }
  uint64_t queued = 0;
  for (auto& [id, s] : expected) queued += s == run_status::queued;
  CHECK(w.size() == expected.size());
  CHECK(w.queued() == queued);
}
