// Authentication of the real binary: dev-token file, jwt mode, none mode,
// and the refusals to start (reference §5, http/auth.hpp).
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_jwt.hpp"

using namespace fabro::testing;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Runs in the list, as seen with `auth` (raw header lines).
size_t run_count(uint16_t port, const std::string& auth) {
  auto r = http_request_auth(port, auth, "GET", "/api/v1/runs?page[limit]=100");
  return count_of(r.body, "\"run_id\":");
}

}  // namespace

TEST_CASE("without FABRO_DEV_TOKEN a token file is made 0600, never printed, and reused",
          "[e2e][auth]") {
  temp_dir dir;
  const std::string data = dir.path + "/data";
  const env_changes no_env_token = {{"FABRO_DEV_TOKEN", std::nullopt}};
  std::string token;
  {
    server_process s(data, {}, no_env_token);
    REQUIRE(s.started());
    token = read_text(data + "/dev-token");
    while (!token.empty() && token.back() == '\n') token.pop_back();
    REQUIRE(token.rfind("fabro_dev_", 0) == 0);
    REQUIRE(token.size() == 74);
    struct stat st {};
    REQUIRE(::stat((data + "/dev-token").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(count_of(s.log(), token) == 0);  // logs are read by more people than tokens
    CHECK(s.log().find("new dev token saved to " + data + "/dev-token") != std::string::npos);

    CHECK(http_request_auth(s.port(), bearer(token), "POST", "/api/v1/runs", minimal_manifest())
              .status == 201);
    CHECK(http_request(s.port(), "GET", "/api/v1/runs").status == 401);  // the test token
    CHECK(http_request_auth(s.port(), "", "GET", "/api/v1/runs").status == 401);
    CHECK(s.stop() == 0);
  }
  server_process again(data, {}, no_env_token);
  REQUIRE(again.started());
  CHECK(read_text(data + "/dev-token") == token + "\n");
  CHECK(again.log().find(token) == std::string::npos);
  CHECK(run_count(again.port(), bearer(token)) == 1);
}

TEST_CASE("FABRO_DEV_TOKEN wins over the token file and must be well-formed", "[e2e][auth]") {
  temp_dir dir;
  {
    server_process s(dir.path + "/data");
    REQUIRE(s.started());
    CHECK(http_request(s.port(), "GET", "/api/v1/runs").status == 200);
    CHECK(s.log().find(kTestDevToken) == std::string::npos);  // never printed
  }
  auto [code, out] = run_binary({"serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path + "/d"},
                                {{"FABRO_DEV_TOKEN", "fabro_dev_tooshort"}});
  CHECK(code == 2);
  CHECK(out.find("FABRO_DEV_TOKEN") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}

TEST_CASE("Bearer must be spelled exactly, with one space", "[e2e][auth]") {
  temp_dir dir;
  server_process s(dir.path + "/data");
  REQUIRE(s.started());
  std::string t = kTestDevToken;
  CHECK(http_request_auth(s.port(), "Authorization: Bearer " + t + "\r\n", "GET", "/api/v1/runs")
            .status == 200);
  const std::vector<std::string> variants = {
       "Authorization: bearer " + t, "Authorization: BEARER " + t, "Authorization: Bearer  " + t,
        "Authorization: Bearer\t" + t, "Authorization: Bearer" + t, "Authorization: " + t,
        "Authorization: Token " + t, "Authorization: Bearer " + t.substr(0, 40),
        "Authorization: Bearer " + t + "x", "Authorization: Bearer ", "Authorization: Basic Zm9vOmJhcg=="};
  for (const auto& line : variants) {
    INFO(line);
    CHECK(http_request_auth(s.port(), line + "\r\n", "POST", "/api/v1/runs", minimal_manifest())
              .status == 401);
    CHECK(http_request_auth(s.port(), line + "\r\n", "GET", "/api/v1/runs").status == 401);
  }
  CHECK(run_count(s.port(), default_auth_header()) == 0);
}

TEST_CASE("jwt mode: each bad token gets its documented status and creates nothing",
          "[e2e][auth]") {
  temp_dir dir;
  auto key = make_ed25519_key();
  std::string config = dir.path + "/config.yaml";
  std::ofstream(config) << "allowed_usernames: [alice, carol]\n";
  server_process s(dir.path + "/data", {"--config", config, "--auth", "jwt"},
                   {{"FABRO_JWT_PUBLIC_KEY", key.public_pem}});
  REQUIRE(s.started());
  auto now = unix_now();
  auto token = [&](const std::string& sub) {
    return sign_eddsa(key, jwt_claims_json(sub, now, now + 600));
  };

  // Open routes need nothing.
  CHECK(http_request_auth(s.port(), "", "GET", "/health").status == 200);
  CHECK(http_request_auth(s.port(), "", "GET", "/api/v1/openapi.json").status == 200);

  struct bad_case {
    const char* what;
    std::string header;
    int on_read;    // GET /api/v1/runs
  };
  auto other_key = make_ed25519_key();
  auto good = token("https://github.com/alice");
  std::vector<bad_case> cases = {
      {"no header", "", 401},
      {"dev token", bearer(kTestDevToken), 401},
      {"wrong key", bearer(sign_eddsa(other_key, jwt_claims_json("alice", now, now + 600))), 401},
      {"expired", bearer(sign_eddsa(key, jwt_claims_json("alice", now - 7200, now - 3600))), 401},
      {"iat in the future", bearer(sign_eddsa(key, jwt_claims_json("alice", now + 3600, now + 7200))), 401},
      {"wrong iss", bearer(sign_eddsa(key, jwt_claims_json("alice", now, now + 600, "other"))), 401},
      {"alg none", bearer(unsigned_jwt(jwt_claims_json("alice", now, now + 600))), 401},
      {"alg HS256 keyed with the public key",
       bearer(sign_hs256(key.public_pem, jwt_claims_json("alice", now, now + 600))), 401},
      {"truncated", bearer(good.substr(0, good.size() - 5)), 401},
      {"garbage", bearer("not.a.jwt"), 401},
      {"lower-case bearer", "Authorization: bearer " + good + "\r\n", 401},
      {"two spaces", "Authorization: Bearer  " + good + "\r\n", 401},
      {"missing sub", bearer(token("")), 403},
      {"user not allowed", bearer(token("https://github.com/bob")), 403},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto read = http_request_auth(s.port(), c.header, "GET", "/api/v1/runs");
    CHECK(read.status == c.on_read);
    CHECK(json_string_field(read.body, "detail") ==
          (c.on_read == 401 ? "Authentication required." : "Access denied."));
    // Create (a subject route) answers 401 for every failure, as Fabro.
    auto create = http_request_auth(s.port(), c.header, "POST", "/api/v1/runs", minimal_manifest());
    CHECK(create.status == 401);
    CHECK(json_string_field(create.body, "detail") == "Authentication required.");
  }
  CHECK(run_count(s.port(), bearer(good)) == 0);

  // Valid tokens of allowed users work, whatever the sub's prefix.
  CHECK(http_request_auth(s.port(), bearer(good), "POST", "/api/v1/runs", minimal_manifest())
            .status == 201);
  CHECK(http_request_auth(s.port(), bearer(token("carol")), "GET", "/api/v1/runs").status == 200);
  CHECK(run_count(s.port(), bearer(good)) == 1);
}

TEST_CASE("jwt mode reads the key from a PEM file and from base64 of the PEM", "[e2e][auth]") {
  temp_dir dir;
  auto key = make_ed25519_key();
  std::string pem = dir.path + "/key.pem";
  std::ofstream(pem) << key.public_pem;
  std::string config = dir.path + "/config.yaml";
  std::ofstream(config) << "auth_mode: jwt\njwt_public_key_file: " << pem
                        << "\njwt_issuer: my-idp\nallowed_usernames:\n  - alice\n";
  auto now = unix_now();
  auto good = bearer(sign_eddsa(key, jwt_claims_json("alice", now, now + 60, "my-idp")));
  {
    server_process s(dir.path + "/data", {"--config", config});
    REQUIRE(s.started());
    CHECK(http_request_auth(s.port(), good, "GET", "/api/v1/runs").status == 200);
    CHECK(http_request_auth(s.port(), bearer(sign_eddsa(key, jwt_claims_json("alice", now, now + 60))),
                            "GET", "/api/v1/runs").status == 401);  // iss fabro-web
  }
  server_process s(dir.path + "/data2", {"--auth", "jwt", "--config", config},
                   {{"FABRO_JWT_PUBLIC_KEY", base64(key.public_pem)}});
  REQUIRE(s.started());
  CHECK(http_request_auth(s.port(), good, "GET", "/api/v1/runs").status == 200);
}

TEST_CASE("the server refuses to start without a usable JWT key", "[e2e][auth]") {
  temp_dir dir;
  auto base = std::vector<std::string>{"serve", "--bind", "127.0.0.1:0", "--data-dir",
                                       dir.path + "/data", "--auth", "jwt"};
  auto missing = run_binary(base);
  CHECK(missing.first == 2);
  CHECK(missing.second.find("FABRO_JWT_PUBLIC_KEY") != std::string::npos);
  CHECK(std::count(missing.second.begin(), missing.second.end(), '\n') == 1);
  CHECK(run_binary(base, {{"FABRO_JWT_PUBLIC_KEY", "garbage"}}).first == 2);
  CHECK(run_binary(base, {{"FABRO_JWT_PUBLIC_KEY", make_rsa_public_pem()}}).first == 2);
  auto no_file = base;
  no_file.insert(no_file.end(), {"--config", dir.path + "/c.yaml"});
  std::ofstream(dir.path + "/c.yaml") << "jwt_public_key_file: " << dir.path << "/nope.pem\n";
  CHECK(run_binary(no_file).first == 2);
  CHECK(run_binary({"serve", "--auth", "bogus", "--data-dir", dir.path + "/data"}).first == 2);
}

TEST_CASE("auth none works only on loopback, with a warning", "[e2e][auth]") {
  temp_dir dir;
  server_process s(dir.path + "/data", {"--auth", "none"});
  REQUIRE(s.started());
  CHECK(http_request_auth(s.port(), "", "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  CHECK(s.log().find("auth: disabled") != std::string::npos);

  auto [code, out] = run_binary(
      {"serve", "--auth", "none", "--bind", "0.0.0.0:0", "--data-dir", dir.path + "/d2"});
  CHECK(code == 2);
  CHECK(out.find("loopback") != std::string::npos);
}
