#include "http/auth_token.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/server_process.hpp"

using namespace fabro;

TEST_CASE("dev tokens are fabro_dev_ and 64 hex digits", "[http][auth]") {
  auto t = http::generate_dev_token();
  REQUIRE(t);
  CHECK(http::is_dev_token(*t));
  CHECK(*t != *http::generate_dev_token());
  CHECK(http::is_dev_token("fabro_dev_" + std::string(64, 'A')));
  CHECK_FALSE(http::is_dev_token("fabro_dev_" + std::string(63, 'a')));
  CHECK_FALSE(http::is_dev_token("fabro_dev_" + std::string(65, 'a')));
  CHECK_FALSE(http::is_dev_token("fabro_dex_" + std::string(64, 'a')));
  CHECK_FALSE(http::is_dev_token("fabro_dev_" + std::string(63, 'a') + "z"));
}

TEST_CASE("the dev token file is created owner-only and read again later", "[http][auth]") {
  testing::temp_dir dir;
  auto first = http::load_or_create_dev_token(dir.path);
  REQUIRE(first);
  CHECK(first->created);
  CHECK(http::is_dev_token(first->token));
  CHECK(first->path == dir.path + "/dev-token");
  struct stat st {};
  REQUIRE(::stat(first->path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto again = http::load_or_create_dev_token(dir.path);
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->token == first->token);
}

TEST_CASE("a dev token file that holds something else is an error", "[http][auth]") {
  testing::temp_dir dir;
  std::ofstream(dir.path + "/dev-token") << "hunter2\n";
  auto r = http::load_or_create_dev_token(dir.path);
  REQUIRE_FALSE(r);
  CHECK(r.error().detail.find(dir.path + "/dev-token") == 0);
  CHECK_FALSE(http::load_or_create_dev_token(dir.path + "/missing-dir"));
}
