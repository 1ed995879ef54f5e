#include "http/auth_jwt.hpp"

#include <catch2/catch.hpp>

#include "tests/support/test_jwt.hpp"

using namespace fabro;
using namespace fabro::testing;
using fabro::http::jwt_verifier;

namespace {

struct fixture {
  test_key key = make_ed25519_key();
  jwt_verifier verifier = *jwt_verifier::create(key.public_pem, "fabro-web");
  int64_t now = 1'750'000'000;
  std::string good_claims = jwt_claims_json("https://github.com/alice", now - 10, now + 600);

  bool accepts(const std::string& token) const { return verifier.verify(token, now).ok(); }
  std::string why(const std::string& token) const {
    auto r = verifier.verify(token, now);
    return r ? "" : r.error().detail;
  }
};

}  // namespace

TEST_CASE("base64url decodes unpadded text and refuses anything else", "[http][jwt]") {
  CHECK(http::base64url_decode("") == std::string());
  CHECK(http::base64url_decode("Zm9vYmFy") == std::string("foobar"));
  CHECK(http::base64url_decode("Zm9vYg") == std::string("foob"));
  CHECK(http::base64url_decode("-_8") == std::string("\xfb\xff"));
  CHECK_FALSE(http::base64url_decode("Zm9vYg=="));  // padding
  CHECK_FALSE(http::base64url_decode("Zm9v+mFy"));  // standard alphabet
  CHECK_FALSE(http::base64url_decode("Z"));         // impossible length
  CHECK_FALSE(http::base64url_decode("Zh"));        // stray bits
  CHECK(http::base64_decode("Zm9v\nYmFy") == std::string("foobar"));
  CHECK(http::base64_decode("+/8=") == std::string("\xfb\xff"));
}

TEST_CASE("a token signed with the configured Ed25519 key is accepted", "[http][jwt]") {
  fixture f;
  auto claims = f.verifier.verify(sign_eddsa(f.key, f.good_claims), f.now);
  REQUIRE(claims);
  CHECK(claims->sub == "https://github.com/alice");
  CHECK(claims->exp == f.now + 600);
}

TEST_CASE("the public key may be given as base64 of its PEM", "[http][jwt]") {
  fixture f;
  auto v = jwt_verifier::create(base64(f.key.public_pem), "fabro-web");
  REQUIRE(v);
  CHECK(v->verify(sign_eddsa(f.key, f.good_claims), f.now));
}

TEST_CASE("keys that are not Ed25519 public keys are refused", "[http][jwt]") {
  CHECK_FALSE(jwt_verifier::create("", "fabro-web"));
  CHECK_FALSE(jwt_verifier::create("not a key", "fabro-web"));
  CHECK_FALSE(jwt_verifier::create("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                                   "fabro-web"));
  auto rsa = jwt_verifier::create(make_rsa_public_pem(), "fabro-web");
  REQUIRE_FALSE(rsa);
  CHECK(rsa.error().detail.find("Ed25519") != std::string::npos);
}

TEST_CASE("a token signed with another key is refused", "[http][jwt]") {
  fixture f;
  auto other = make_ed25519_key();
  CHECK(f.why(sign_eddsa(other, f.good_claims)) == "jwt: bad signature");
}

TEST_CASE("a token whose payload was changed after signing is refused", "[http][jwt]") {
  fixture f;
  auto token = sign_eddsa(f.key, f.good_claims);
  auto parts_end = token.find('.', token.find('.') + 1);
  auto forged = token.substr(0, token.find('.') + 1) +
                base64url(jwt_claims_json("https://github.com/mallory", f.now, f.now + 600)) +
                token.substr(parts_end);
  CHECK(f.why(forged) == "jwt: bad signature");
}

TEST_CASE("exp and iat are checked with 60 seconds of leeway", "[http][jwt]") {
  fixture f;
  auto token = [&](int64_t iat, int64_t exp) {
    return sign_eddsa(f.key, jwt_claims_json("alice", iat, exp));
  };
  CHECK(f.accepts(token(f.now - 3600, f.now - 60)));     // within leeway
  CHECK(f.why(token(f.now - 3600, f.now - 61)) == "jwt: expired");
  CHECK(f.accepts(token(f.now + 60, f.now + 600)));      // clock skew
  CHECK(f.why(token(f.now + 3600, f.now + 7200)) == "jwt: issued in the future");
}

TEST_CASE("iss, iat and exp are required, aud is refused", "[http][jwt]") {
  fixture f;
  CHECK(f.why(sign_eddsa(f.key, jwt_claims_json("alice", f.now, f.now + 60, "evil"))) ==
        "jwt: wrong issuer");
  CHECK(f.why(sign_eddsa(f.key, "{\"sub\":\"alice\",\"iat\":1,\"exp\":9999999999}")) ==
        "jwt: wrong issuer");
  CHECK(f.why(sign_eddsa(f.key, "{\"iss\":\"fabro-web\",\"sub\":\"a\",\"exp\":9999999999}")) ==
        "jwt: iat and exp are required numbers");
  CHECK(f.why(sign_eddsa(f.key, "{\"iss\":\"fabro-web\",\"iat\":\"1\",\"exp\":9999999999}")) ==
        "jwt: iat and exp are required numbers");
  CHECK(f.why(sign_eddsa(f.key, "{\"iss\":\"fabro-web\",\"iat\":1,\"exp\":9999999999,"
                                "\"aud\":\"x\"}")) == "jwt: unexpected audience");
  // A configured issuer replaces fabro-web.
  auto own = jwt_verifier::create(f.key.public_pem, "my-issuer");
  CHECK(own->verify(sign_eddsa(f.key, jwt_claims_json("a", f.now, f.now + 60, "my-issuer")), f.now));
  CHECK_FALSE(own->verify(sign_eddsa(f.key, f.good_claims), f.now));
}

TEST_CASE("a token without sub verifies, the authenticator decides about it", "[http][jwt]") {
  fixture f;
  auto claims = f.verifier.verify(sign_eddsa(f.key, jwt_claims_json("", f.now, f.now + 60)), f.now);
  REQUIRE(claims);
  CHECK(claims->sub.empty());
  CHECK(f.why(sign_eddsa(f.key, "{\"iss\":\"fabro-web\",\"iat\":1,\"exp\":9999999999,"
                                "\"sub\":7}")) == "jwt: sub is not a string");
}

TEST_CASE("only EdDSA is accepted: none, HS256 and others are refused", "[http][jwt]") {
  fixture f;
  CHECK(f.why(unsigned_jwt(f.good_claims)) == "jwt: algorithm is not EdDSA");
  CHECK(f.why(sign_hs256(f.key.public_pem, f.good_claims)) == "jwt: algorithm is not EdDSA");
  CHECK(f.why(sign_eddsa(f.key, f.good_claims, "{\"alg\":\"ES256\"}")) ==
        "jwt: algorithm is not EdDSA");
  CHECK(f.why(sign_eddsa(f.key, f.good_claims, "{\"typ\":\"JWT\"}")) ==
        "jwt: algorithm is not EdDSA");
  // An EdDSA header on an unsigned token still needs a signature.
  auto token = sign_eddsa(f.key, f.good_claims);
  CHECK(f.why(token.substr(0, token.rfind('.') + 1)) == "jwt: bad signature length");
}

TEST_CASE("truncated and garbage tokens are refused", "[http][jwt]") {
  fixture f;
  auto token = sign_eddsa(f.key, f.good_claims);
  CHECK_FALSE(f.accepts(token.substr(0, token.size() - 1)));
  CHECK_FALSE(f.accepts(token.substr(0, token.size() / 2)));
  CHECK_FALSE(f.accepts(token.substr(0, token.rfind('.'))));
  CHECK_FALSE(f.accepts(token + "."));
  CHECK_FALSE(f.accepts(token + "A"));
  CHECK_FALSE(f.accepts(""));
  CHECK_FALSE(f.accepts("..."));
  CHECK_FALSE(f.accepts("garbage"));
  CHECK_FALSE(f.accepts("a.b.c"));
  CHECK_FALSE(f.accepts(base64url("[]") + "." + base64url("{}") + ".AAAA"));
  CHECK_FALSE(f.accepts(base64url("{\"alg\":\"EdDSA\"}") + "." + base64url("not json") + "." +
                        token.substr(token.rfind('.') + 1)));
}
