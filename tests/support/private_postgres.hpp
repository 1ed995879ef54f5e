// A PostgreSQL server of the tests' own (issue 18): initdb into a temporary
// directory, pg_ctl on a free loopback port (its Unix socket in that
// directory too), stopped and removed when the test process ends. Run as
// the `postgres` user when the tests run as root (PostgreSQL refuses
// root). Trust authentication on loopback, fsync off: it holds test data
// only, and the tests check our store, not PostgreSQL's durability; the
// WAL writer waits 10 s between rounds, so what flushes an asynchronous
// commit within a test is our store's sync().
//
// When PostgreSQL cannot start here (no binaries, no user to run it as),
// shared() returns nullptr and unavailable() says why; tests then report
// skip_postgres_test(), which ctest shows as skipped (CMake
// SKIP_REGULAR_EXPRESSION), never as passed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fabro::testing {

class private_postgres {
 public:
  // The process's server, started on first use; nullptr when it cannot be.
  static private_postgres* shared();
  static const std::string& unavailable();

  // A new, empty database on the server: its postgresql:// URL.
  std::string fresh_database();
  // The URL of database `name`.
  std::string url(const std::string& name) const;
  uint16_t port() const { return port_; }

  ~private_postgres();

 private:
  private_postgres() = default;
  std::string dir_, bin_;
  uint16_t port_ = 0;
  int run_as_ = -1;  // uid to run the server as; -1 = ours
  int next_ = 0;
};

// Runs `sql` on the database at `url` on a connection of its own: the first
// column of its first row ("" when it returns none), or nullopt when it
// failed.
std::optional<std::string> sql_value(const std::string& url, const std::string& sql);

// The text ctest looks for to call a test skipped.
constexpr const char* kPostgresSkipped = "SKIPPED: PostgreSQL unavailable";

}  // namespace fabro::testing

// In a Catch2 test case: skip it, visibly, when PostgreSQL cannot run.
#define FABRO_REQUIRE_POSTGRES(pg)                                                      \
  auto* pg = ::fabro::testing::private_postgres::shared();                              \
  if (!pg) {                                                                            \
    WARN(std::string(::fabro::testing::kPostgresSkipped) + ": " +                       \
         ::fabro::testing::private_postgres::unavailable());                            \
    return;                                                                             \
  }
