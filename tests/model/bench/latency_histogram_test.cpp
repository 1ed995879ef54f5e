#include "model/bench/latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using fabro::model::latency_histogram;

namespace {

// The exact nearest-rank percentile of `sorted`.
uint64_t exact(const std::vector<uint64_t>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p * sorted.size() / 100.0));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

TEST_CASE("an empty histogram reports zeros", "[model]") {
  latency_histogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(99) == 0);
  CHECK(h.max() == 0);
  CHECK(h.min() == 0);
}

TEST_CASE("values below 128 are counted exactly", "[model]") {
  latency_histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(90) == 90);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(100) == 100);
  CHECK(h.min() == 1);
  CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("every percentile is within 1 % of the exact nearest-rank value", "[model]") {
  std::mt19937_64 rng(42);
  // Log-uniform from 1 µs to 100 s in nanoseconds: every bucket range.
  std::uniform_real_distribution<double> exponent(3.0, 11.0);
  std::vector<uint64_t> values;
  latency_histogram h;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<uint64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99}) {
    double want = static_cast<double>(exact(values, p));
    double got = static_cast<double>(h.percentile(p));
    INFO("p" << p << " exact " << want << " reported " << got);
    CHECK(std::abs(got - want) / want <= 0.01);
  }
  CHECK(h.percentile(100) == values.back());
  CHECK(h.max() == values.back());
  CHECK(h.min() == values.front());
}

TEST_CASE("the relative error bound holds for single values at every scale", "[model]") {
  for (uint64_t v = 1; v < (uint64_t{1} << 62); v = v * 3 + 1) {
    latency_histogram h;
    h.record(v);
    h.record(v + v / 200);  // a second value within the same or next bucket
    double got = static_cast<double>(h.percentile(50));
    CHECK(std::abs(got - static_cast<double>(v)) / static_cast<double>(v) <= 0.01);
  }
}

TEST_CASE("merging adds the other histogram's values", "[model]") {
  latency_histogram a, b;
  for (uint64_t v = 0; v < 1000; ++v) a.record(1000000 + v);
  b.record(5000000000);
  a.merge(b);
  CHECK(a.count() == 1001);
  CHECK(a.max() == 5000000000);
  CHECK(a.percentile(100) == 5000000000);
  CHECK(a.percentile(50) == Approx(1000500).epsilon(0.01));
  a.reset();
  CHECK(a.count() == 0);
}
