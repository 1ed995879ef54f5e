#include "http/auth.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include <openssl/crypto.h>

#include "http/auth_token.hpp"

namespace fabro::http {
namespace {

using model::errc;
using model::make_problem;

model::problem unauthorized() {
  return make_problem(errc::unauthorized, "Authentication required.");
}

}  // namespace

std::optional<auth_mode> parse_auth_mode(std::string_view text) {
  if (text == "dev-token") return auth_mode::dev_token;
  if (text == "jwt") return auth_mode::jwt;
  if (text == "none") return auth_mode::none;
  return std::nullopt;
}

const char* to_string(auth_mode mode) {
  switch (mode) {
    case auth_mode::dev_token: return "dev-token";
    case auth_mode::jwt: return "jwt";
    case auth_mode::none: return "none";
  }
  return "?";
}

bool is_loopback_host(std::string_view host) {
  std::string h(host);
  if (h == "localhost") return true;
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), buf) != 1) return false;
  static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(buf, buf + 16, loop6)) return true;
  return std::equal(buf, buf + 12, mapped) && buf[12] == 127;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto token = authorization.substr(prefix.size());
  if (token.empty() || token.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return token;
}

model::result<authenticator> authenticator::create(const auth_config& cfg,
                                                   std::string_view bind_host) {
  authenticator a(cfg);
  switch (cfg.mode) {
    case auth_mode::dev_token:
      if (!is_dev_token(cfg.dev_token))
        return make_problem(errc::invalid_request,
                            "dev token: expected fabro_dev_ followed by 64 hex digits");
      break;
    case auth_mode::jwt: {
      if (cfg.jwt_public_key.empty())
        return make_problem(errc::invalid_request,
                            "auth_mode jwt needs a public key: set FABRO_JWT_PUBLIC_KEY or "
                            "jwt_public_key_file");
      auto v = jwt_verifier::create(cfg.jwt_public_key, cfg.jwt_issuer);
      if (!v) return v.error();
      a.jwt_ = std::move(*v);
      break;
    }
    case auth_mode::none:
      if (!is_loopback_host(bind_host))
        return make_problem(errc::invalid_request,
                            "auth_mode none is only allowed on a loopback address, not '" +
                                std::string(bind_host) + "'");
      break;
  }
  return a;
}

model::result<caller> authenticator::check(const std::string* authorization,
                                           route_access access, int64_t now) const {
  if (access == route_access::open) return caller{};
  if (cfg_.mode == auth_mode::none) return caller{"", "disabled"};
  auto token = authorization ? bearer_token(*authorization) : std::nullopt;
  if (!token) return unauthorized();

  if (cfg_.mode == auth_mode::dev_token) {
    // The token length is public (fixed format); its content is compared
    // in constant time.
    const auto& want = cfg_.dev_token;
    if (token->size() != want.size() || CRYPTO_memcmp(token->data(), want.data(), want.size()) != 0)
      return unauthorized();
    return caller{"dev", "dev_token"};
  }

  auto claims = jwt_->verify(*token, now);
  if (!claims) return unauthorized();
  // Fabro answers 403 for a verified token it will not let in, except on
  // subject routes (create, start, control), which answer 401 for any
  // failure.
  auto denied = [&] {
    return access == route_access::subject ? unauthorized()
                                           : make_problem(errc::forbidden, "Access denied.");
  };
  if (claims->sub.empty()) return denied();
  auto slash = claims->sub.rfind('/');
  std::string login = slash == std::string::npos ? claims->sub : claims->sub.substr(slash + 1);
  const auto& allowed = cfg_.allowed_usernames;
  if (login.empty() || std::find(allowed.begin(), allowed.end(), login) == allowed.end())
    return denied();
  return caller{login, "jwt"};
}

}  // namespace fabro::http
