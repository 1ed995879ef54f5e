// Public: http layer (installed for embedders under include/fabro/).
// Verification of the API's JSON Web Tokens, Fabro's `jwt` scheme
// (reference/fabro-runs-api.md §5.1).
//
// A token is a compact JWS `header.payload.signature`, each part base64url
// without padding. Accepted only when:
//   - the header's `alg` is exactly "EdDSA" (Ed25519); "none", HS256 and
//     every other algorithm are refused before any key is used;
//   - the Ed25519 signature over `header.payload` verifies with the
//     configured public key (OpenSSL EVP_DigestVerify; no crypto of ours);
//   - the payload has `iss` equal to the configured issuer, numeric `iat`
//     and `exp`; `exp` is not more than kJwtLeewaySeconds in the past and
//     `iat` not more than kJwtLeewaySeconds in the future; there is no `aud`
//     (Fabro's library refuses tokens with an audience it was not told).
// `sub` is optional here: whether a token without one is acceptable is the
// authenticator's decision (http/auth.hpp).
//
// jwt_verifier is immutable after create(); verify() is thread-safe (each
// call uses its own OpenSSL context; the key is shared read-only).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "model/result.hpp"

namespace fabro::http {

// Clock skew allowed on `exp` and `iat`, as Fabro (jsonwebtoken's default).
constexpr int64_t kJwtLeewaySeconds = 60;

// What the server uses from a verified token.
struct jwt_claims {
  std::string sub;  // "" when the token carries no `sub`
  int64_t iat = 0;  // issued at, unix seconds
  int64_t exp = 0;  // expires at, unix seconds
};

class jwt_verifier {
 public:
  // Loads the Ed25519 public key from `key_text`: PEM ("-----BEGIN PUBLIC
  // KEY-----…") or base64 of that PEM (how FABRO_JWT_PUBLIC_KEY is often
  // given). Fails with errc::invalid_request saying what is wrong: not PEM,
  // not a public key, not Ed25519. `issuer` is the required `iss`.
  static model::result<jwt_verifier> create(std::string_view key_text, std::string issuer);

  // Verifies `token` (the text after "Bearer ") at unix time `now`.
  // Fails with errc::unauthorized and a detail for logs and tests
  // ("expired", "bad signature", …); clients never see the detail.
  model::result<jwt_claims> verify(std::string_view token, int64_t now) const;

 private:
  jwt_verifier(std::shared_ptr<EVP_PKEY> key, std::string issuer)
      : key_(std::move(key)), issuer_(std::move(issuer)) {}

  std::shared_ptr<EVP_PKEY> key_;  // immutable; copies share it
  std::string issuer_;
};

// Decodes base64url without padding (RFC 7515 §2). nullopt on any other
// character, on an impossible length, or on non-zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

// Decodes standard base64 (RFC 4648 §4), padding optional, whitespace and
// line breaks ignored. nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace fabro::http
