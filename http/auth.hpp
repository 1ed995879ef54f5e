// Public: http layer (installed for embedders under include/fabro/).
// Who may call the API: request authentication (reference/fabro-runs-api.md
// §5, DESIGN §7).
//
// One authenticator per server, built at startup from an auth_config
// (app/serve.cpp resolves secrets from the environment and the data
// directory); immutable afterwards, so every HTTP thread shares it.
// api::guarded (http/api.cpp) asks it about each request *before* the
// route's handler runs, using the route's `access` (http/route.hpp):
//
//   access   no/bad credentials     valid JWT, user not allowed / no sub
//   open     (not checked)          (not checked)
//   service  401                    403 "Access denied."
//   subject  401                    401   (Fabro's AuthenticatedSubject)
//
// 401 always says "Authentication required."; no WWW-Authenticate header.
// Modes (exactly one per server):
//   dev_token  `Authorization: Bearer fabro_dev_<64 hex>`, compared in
//              constant time (CRYPTO_memcmp); login "dev".
//   jwt        `Authorization: Bearer <JWT>` (http/auth_jwt.hpp); login =
//              text after the last '/' of `sub`, which must be listed in
//              allowed_usernames (an empty list rejects every token).
//   none       no checks, login ""; only on a loopback address.
// The header must read exactly `Bearer ` + token: the scheme is
// case-sensitive and exactly one space follows it, as in Fabro.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/auth_jwt.hpp"
#include "model/result.hpp"

namespace fabro::http {

enum class auth_mode { dev_token, jwt, none };

// "dev-token", "jwt", "none" (config and --auth spelling); nullopt otherwise.
std::optional<auth_mode> parse_auth_mode(std::string_view text);
const char* to_string(auth_mode mode);  // the spelling parse_auth_mode takes

// How a route is guarded; a field of every route (http/route.hpp).
enum class route_access {
  service,  // credentials required; a JWT user that is not allowed gets 403
  subject,  // credentials required, every failure is 401; the login is the
            // actor of what the request causes (create, start, control)
  open,     // no credentials needed (/health, /api/v1/openapi.json)
};

// Plain values; secrets already resolved (no file names, no environment).
struct auth_config {
  auth_mode mode = auth_mode::dev_token;
  std::string dev_token;                    // dev_token: the one accepted token
  std::string jwt_public_key;               // jwt: Ed25519 key, PEM or base64 of PEM
  std::string jwt_issuer = "fabro-web";     // jwt: required `iss`
  std::vector<std::string> allowed_usernames;  // jwt: logins let in; empty = none
};

// The authenticated caller of one request.
struct caller {
  std::string login;   // "dev", the JWT user, or "" (open route, mode none)
  std::string method;  // provenance auth_method: dev_token | jwt | disabled
};

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost".
bool is_loopback_host(std::string_view host);

// The token of an Authorization value `Bearer <token>`: exactly that
// prefix, then a non-empty token without spaces. nullopt otherwise.
std::optional<std::string_view> bearer_token(std::string_view authorization);

class authenticator {
 public:
  // Checks `cfg` for the server bound to `bind_host`. Fails with
  // errc::invalid_request and a one-line reason: dev token malformed, JWT
  // key missing or unusable, mode none on a non-loopback address.
  static model::result<authenticator> create(const auth_config& cfg, std::string_view bind_host);

  // Authenticates a request whose Authorization header is `authorization`
  // (nullptr when absent) at unix time `now`. Fails with errc::unauthorized
  // "Authentication required." or errc::forbidden "Access denied." as the
  // table above says. Thread-safe.
  model::result<caller> check(const std::string* authorization, route_access access,
                              int64_t now) const;

  auth_mode mode() const { return cfg_.mode; }

 private:
  explicit authenticator(auth_config cfg) : cfg_(std::move(cfg)) {}

  auth_config cfg_;
  std::optional<jwt_verifier> jwt_;  // set in jwt mode
};

}  // namespace fabro::http
