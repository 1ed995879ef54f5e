#include "http/auth_jwt.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

namespace fabro::http {
namespace {

using model::errc;
using model::make_problem;
using model::problem;

problem rejected(std::string why) { return make_problem(errc::unauthorized, "jwt: " + std::move(why)); }

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// A JSON object of a token part, kept alive with its parser.
struct json_part {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
};

bool parse_object(const std::string& text, json_part& out) {
  simdjson::dom::element root;
  if (out.parser.parse(text).get(root)) return false;
  return !root.get_object().get(out.object);
}

// `iat`/`exp`: JSON numbers; fractions are truncated (NumericDate, RFC 7519).
std::optional<int64_t> numeric_date(simdjson::dom::object& obj, const char* key) {
  simdjson::dom::element e;
  if (obj[key].get(e)) return std::nullopt;
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d) && d > -9.2e18 && d < 9.2e18) return static_cast<int64_t>(d);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Canonical encodings leave no stray bits; refusing others keeps one
  // token text per signature.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string url;
  url.reserve(text.size());
  for (char c : text) {
    if (c == '+') url.push_back('-');
    else if (c == '/') url.push_back('_');
    else if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    else if (c == '-' || c == '_') return std::nullopt;
    else url.push_back(c);
  }
  return base64url_decode(url);
}

model::result<jwt_verifier> jwt_verifier::create(std::string_view key_text, std::string issuer) {
  std::string pem(key_text);
  if (pem.find("-----BEGIN") == std::string::npos) {
    auto decoded = base64_decode(key_text);
    if (!decoded || decoded->find("-----BEGIN") == std::string::npos)
      return make_problem(errc::invalid_request,
                          "JWT public key: neither PEM nor base64 of PEM");
    pem = std::move(*decoded);
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!raw)
    return make_problem(errc::invalid_request, "JWT public key: not a PEM public key");
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  if (EVP_PKEY_get_id(raw) != EVP_PKEY_ED25519)
    return make_problem(errc::invalid_request, "JWT public key: not an Ed25519 key");
  if (issuer.empty()) return make_problem(errc::invalid_request, "jwt_issuer: must not be empty");
  return jwt_verifier(std::move(key), std::move(issuer));
}

model::result<jwt_claims> jwt_verifier::verify(std::string_view token, int64_t now) const {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return rejected("not a compact JWS");
  auto header = base64url_decode(token.substr(0, dot1));
  auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !payload || !signature) return rejected("bad base64url");

  // The algorithm is checked before the key is touched: "none", HS256 with
  // the public key as secret and the like never reach a verifier.
  json_part head;
  if (!parse_object(*header, head)) return rejected("header is not a JSON object");
  std::string_view alg;
  if (head.object["alg"].get_string().get(alg) || alg != "EdDSA")
    return rejected("algorithm is not EdDSA");
  if (signature->size() != 64) return rejected("bad signature length");

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  auto signed_part = token.substr(0, dot2);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) != 1)
    return rejected("bad signature");

  json_part body;
  if (!parse_object(*payload, body)) return rejected("payload is not a JSON object");
  std::string_view iss;
  if (body.object["iss"].get_string().get(iss) || iss != issuer_) return rejected("wrong issuer");
  if (!body.object["aud"].error()) return rejected("unexpected audience");
  auto iat = numeric_date(body.object, "iat");
  auto exp = numeric_date(body.object, "exp");
  if (!iat || !exp) return rejected("iat and exp are required numbers");
  if (*exp < now - kJwtLeewaySeconds) return rejected("expired");
  if (*iat > now + kJwtLeewaySeconds) return rejected("issued in the future");
  jwt_claims claims;
  claims.iat = *iat;
  claims.exp = *exp;
  simdjson::dom::element sub;
  if (!body.object["sub"].get(sub)) {
    std::string_view s;
    if (sub.get_string().get(s)) return rejected("sub is not a string");
    claims.sub = std::string(s);
  }
  return claims;
}

}  // namespace fabro::http
