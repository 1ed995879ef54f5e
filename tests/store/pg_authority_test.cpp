// The queue authority of a PostgreSQL store: one holder at a time, a new
// term for each, and the fence that leaves a deposed holder unable to
// commit (store/pg_authority.hpp).
#include "store/pg_authority.hpp"
#include "store/pg_run_store.hpp"

#include <catch2/catch.hpp>

#include "tests/support/private_postgres.hpp"
#include "tests/support/wait.hpp"

using namespace fabro;

namespace {

store::run_write create(const std::string& id) {
  store::run_write w;
  w.kind = store::write_kind::create;
  w.record.id = id;
  w.record.created_at_ms = 1;
  w.manifest_bytes = "{}";
  return w;
}

}  // namespace

TEST_CASE("one PostgreSQL session holds the authority, the next one takes a new term",
          "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  REQUIRE(store::pg_run_store::open(url));  // the schema
  auto first = store::pg_authority::open(url, "a");
  auto second = store::pg_authority::open(url, "b");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*(*first)->try_acquire() == 1);
  CHECK(*(*second)->try_acquire() == 0);
  CHECK(*(*second)->try_acquire() == 0);
  CHECK((*second)->authority()->node_id == "a");
  CHECK((*second)->authority()->endpoint == "");  // not published yet
  REQUIRE((*first)->publish_endpoint("127.0.0.1:7"));
  CHECK((*second)->authority()->endpoint == "127.0.0.1:7");
  REQUIRE((*first)->heartbeat("127.0.0.1:1", 3));
  REQUIRE((*second)->heartbeat(""));
  auto nodes = (*second)->nodes(60000);
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 2);
  CHECK(nodes->at(0).id == "a");
  CHECK(nodes->at(0).role == "authority");
  CHECK(nodes->at(0).address == "127.0.0.1:1");
  CHECK(nodes->at(0).slots == 3);
  CHECK(nodes->at(1).role == "follower");
  first->reset();  // its session ends: the lock is free once its backend exits
  CHECK(testing::eventually([&] { return *(*second)->try_acquire() == 2; }));
  CHECK(*(*second)->try_acquire() == 2);  // held: the same term
  CHECK((*second)->authority()->node_id == "b");
  CHECK((*second)->authority()->term == 2);
  CHECK((*second)->authority()->endpoint == "");  // a new term: the old endpoint is gone
}

TEST_CASE("a store fenced with a superseded term commits nothing, the current term commits",
          "[store][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  auto old_store = store::pg_run_store::open(url);
  REQUIRE(old_store);
  auto first = store::pg_authority::open(url, "a");
  REQUIRE(first);
  auto term = (*first)->try_acquire();
  REQUIRE(*term == 1);
  (*old_store)->fence(*term);
  REQUIRE((*old_store)->commit({create("A")}));
  first->reset();
  auto second = store::pg_authority::open(url, "b");
  REQUIRE(testing::eventually([&] { return *(*second)->try_acquire() == 2; }));
  auto refused = (*old_store)->commit({create("B")});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == model::errc::storage_failure);
  CHECK(refused.error().detail.find("no longer the queue authority") != std::string::npos);
  CHECK_FALSE((*old_store)->load_run("B")->has_value());
  auto current = store::pg_run_store::open(url);
  REQUIRE(current);
  (*current)->fence(2);
  CHECK((*current)->commit({create("B")}));
}
