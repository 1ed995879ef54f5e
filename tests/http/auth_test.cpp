#include "http/auth.hpp"

#include <catch2/catch.hpp>

#include "tests/support/test_jwt.hpp"

using namespace fabro;
using namespace fabro::testing;
using http::authenticator;
using http::route_access;
using model::errc;

namespace {

const std::string kToken =
    "fabro_dev_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

authenticator dev_auth() {
  http::auth_config cfg;
  cfg.dev_token = kToken;
  return *authenticator::create(cfg, "127.0.0.1");
}

// The status a request with `header` gets (0 = let in).
int status_of(const authenticator& a, const std::string* header, route_access access,
              int64_t now = unix_now()) {
  auto r = a.check(header, access, now);
  if (r) return 0;
  if (r.error().code == errc::unauthorized && r.error().detail == "Authentication required.")
    return 401;
  if (r.error().code == errc::forbidden && r.error().detail == "Access denied.") return 403;
  return -1;
}

int status_of(const authenticator& a, const std::string& header,
              route_access access = route_access::service) {
  return status_of(a, &header, access);
}

}  // namespace

TEST_CASE("auth modes are spelled dev-token, jwt and none", "[http][auth]") {
  CHECK(http::parse_auth_mode("dev-token") == http::auth_mode::dev_token);
  CHECK(http::parse_auth_mode("jwt") == http::auth_mode::jwt);
  CHECK(http::parse_auth_mode("none") == http::auth_mode::none);
  CHECK_FALSE(http::parse_auth_mode("dev_token"));
  CHECK_FALSE(http::parse_auth_mode("JWT"));
  CHECK(std::string(http::to_string(http::auth_mode::dev_token)) == "dev-token");
}

TEST_CASE("loopback hosts are recognised", "[http][auth]") {
  for (auto h : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"})
    CHECK(http::is_loopback_host(h));
  for (auto h : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "example.com", "", "128.0.0.1"})
    CHECK_FALSE(http::is_loopback_host(h));
}

TEST_CASE("the bearer scheme is exact: case and spacing variants are refused", "[http][auth]") {
  CHECK(http::bearer_token("Bearer abc") == std::string_view("abc"));
  for (auto v : {"bearer abc", "BEARER abc", "Bearer  abc", "Bearer\tabc", "Bearerabc", "Bearer ",
                 "Bearer", "Basic abc", "abc", "", "Bearer abc def", " Bearer abc"})
    CHECK_FALSE(http::bearer_token(v));
}

TEST_CASE("dev-token mode lets in exactly the token, as login dev", "[http][auth]") {
  auto a = dev_auth();
  std::string good = "Bearer " + kToken;
  auto who = a.check(&good, route_access::subject, 0);
  REQUIRE(who);
  CHECK(who->login == "dev");
  CHECK(who->method == "dev_token");
  CHECK(status_of(a, nullptr, route_access::service) == 401);
  CHECK(status_of(a, nullptr, route_access::subject) == 401);
  std::string other = kToken;
  other.back() = other.back() == 'f' ? 'e' : 'f';
  CHECK(status_of(a, "Bearer " + other) == 401);
  CHECK(status_of(a, "Bearer " + kToken + "0") == 401);
  CHECK(status_of(a, "Bearer " + kToken.substr(0, 20)) == 401);
  CHECK(status_of(a, "bearer " + kToken) == 401);
  CHECK(status_of(a, "Bearer  " + kToken) == 401);
  CHECK(status_of(a, kToken) == 401);
}

TEST_CASE("open routes need no credentials in any mode", "[http][auth]") {
  auto a = dev_auth();
  auto who = a.check(nullptr, route_access::open, 0);
  REQUIRE(who);
  CHECK(who->login.empty());
}

TEST_CASE("a malformed dev token, a missing or wrong JWT key and none off loopback refuse to start",
          "[http][auth]") {
  http::auth_config cfg;
  cfg.dev_token = "fabro_dev_123";
  CHECK_FALSE(authenticator::create(cfg, "127.0.0.1"));
  cfg.dev_token = "fabro_dev_" + std::string(64, 'g');
  CHECK_FALSE(authenticator::create(cfg, "127.0.0.1"));

  cfg.mode = http::auth_mode::jwt;
  auto missing = authenticator::create(cfg, "127.0.0.1");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().detail.find("FABRO_JWT_PUBLIC_KEY") != std::string::npos);
  cfg.jwt_public_key = make_rsa_public_pem();
  CHECK_FALSE(authenticator::create(cfg, "127.0.0.1"));

  cfg.mode = http::auth_mode::none;
  CHECK(authenticator::create(cfg, "127.0.0.1"));
  CHECK(authenticator::create(cfg, "::1"));
  CHECK_FALSE(authenticator::create(cfg, "0.0.0.0"));
  CHECK_FALSE(authenticator::create(cfg, "10.1.2.3"));
}

TEST_CASE("mode none lets every request in without a login", "[http][auth]") {
  http::auth_config cfg;
  cfg.mode = http::auth_mode::none;
  auto a = *authenticator::create(cfg, "127.0.0.1");
  auto who = a.check(nullptr, route_access::subject, 0);
  REQUIRE(who);
  CHECK(who->login.empty());
  CHECK(who->method == "disabled");
}

TEST_CASE("jwt mode: the user is the last segment of sub and must be allowed", "[http][auth]") {
  auto key = make_ed25519_key();
  http::auth_config cfg;
  cfg.mode = http::auth_mode::jwt;
  cfg.jwt_public_key = key.public_pem;
  cfg.allowed_usernames = {"alice"};
  auto a = *authenticator::create(cfg, "0.0.0.0");
  auto now = unix_now();
  auto bearer = [&](const std::string& sub) {
    return "Bearer " + sign_eddsa(key, jwt_claims_json(sub, now, now + 300));
  };

  std::string alice = bearer("https://github.com/alice");
  auto who = a.check(&alice, route_access::subject, now);
  REQUIRE(who);
  CHECK(who->login == "alice");
  CHECK(who->method == "jwt");
  CHECK(status_of(a, bearer("alice")) == 0);

  // Verified but not allowed: 403 on service routes, 401 on subject routes.
  std::string bob = bearer("https://github.com/bob");
  CHECK(status_of(a, &bob, route_access::service, now) == 403);
  CHECK(status_of(a, &bob, route_access::subject, now) == 401);
  std::string no_sub = bearer("");
  CHECK(status_of(a, &no_sub, route_access::service, now) == 403);
  CHECK(status_of(a, &no_sub, route_access::subject, now) == 401);
  std::string trailing = bearer("https://github.com/alice/");
  CHECK(status_of(a, &trailing, route_access::service, now) == 403);

  // Not verified: 401 everywhere.
  std::string expired = "Bearer " + sign_eddsa(key, jwt_claims_json("alice", now - 900, now - 600));
  CHECK(status_of(a, &expired, route_access::service, now) == 401);
  std::string dev = "Bearer " + kToken;
  CHECK(status_of(a, &dev, route_access::service, now) == 401);
  std::string lower = "bearer " + alice.substr(7);
  CHECK(status_of(a, &lower, route_access::service, now) == 401);
}

TEST_CASE("jwt mode with an empty allow-list rejects every token", "[http][auth]") {
  auto key = make_ed25519_key();
  http::auth_config cfg;
  cfg.mode = http::auth_mode::jwt;
  cfg.jwt_public_key = key.public_pem;
  auto a = *authenticator::create(cfg, "127.0.0.1");
  auto now = unix_now();
  std::string alice = "Bearer " + sign_eddsa(key, jwt_claims_json("alice", now, now + 60));
  CHECK(status_of(a, &alice, route_access::service, now) == 403);
  CHECK(status_of(a, &alice, route_access::subject, now) == 401);
}
