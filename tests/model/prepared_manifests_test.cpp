// The cache of what a manifest's bytes resolve to: exact keys, LRU order,
// bounds by count and bytes.
#include "model/prepared_manifests.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace fabro::model;

namespace {

std::shared_ptr<const prepared_manifest> entry(std::string definition) {
  auto p = std::make_shared<prepared_manifest>();
  p->definition = std::move(definition);
  return p;
}

}  // namespace

TEST_CASE("prepared manifests are found by exactly their bytes", "[model]") {
  prepared_manifests c;
  auto a = entry("A");
  c.insert("{\"x\":1}", a);
  CHECK(c.find("{\"x\":1}") == a);
  CHECK(c.find("{\"x\":1} ") == nullptr);
  CHECK(c.find("{\"x\":2}") == nullptr);
  c.insert("{\"x\":1}", entry("other"));  // the first one stays
  CHECK(c.find("{\"x\":1}") == a);
  CHECK(c.size() == 1);
}

TEST_CASE("the least recently used prepared manifest goes first", "[model]") {
  prepared_manifests c(2);
  c.insert("a", entry("1"));
  c.insert("b", entry("2"));
  REQUIRE(c.find("a"));  // b is now the oldest
  c.insert("c", entry("3"));
  CHECK(c.size() == 2);
  CHECK(c.find("a"));
  CHECK(c.find("b") == nullptr);
  CHECK(c.find("c"));
}

TEST_CASE("prepared manifests stay within their bytes", "[model]") {
  prepared_manifests c(100, 8000);
  c.insert("big", entry(std::string(1000, 'd')));  // over an eighth: not kept
  CHECK(c.find("big") == nullptr);
  for (int i = 0; i < 20; ++i) c.insert("k" + std::to_string(i), entry(std::string(900, 'd')));
  CHECK(c.size() <= 8);
  CHECK(c.find("k19"));
  CHECK(c.find("k0") == nullptr);
  prepared_manifests none(0);
  none.insert("a", entry("1"));
  CHECK(none.find("a") == nullptr);
}

TEST_CASE("prepared manifests take concurrent lookups and inserts", "[model]") {
  prepared_manifests c(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 2000; ++i) {
        auto key = std::to_string((i * 7 + t) % 40);
        if (auto hit = c.find(key)) CHECK(hit->definition == key);
        else c.insert(key, entry(key));
      }
    });
  for (auto& th : threads) th.join();
  CHECK(c.size() <= 16);
}
