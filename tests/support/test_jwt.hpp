// Ed25519 keys and signed JWTs made in tests (OpenSSL), for the `jwt` auth
// mode: valid tokens and every kind of bad one. Header-only; links with
// OpenSSL::Crypto (through fabro_model).
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace fabro::testing {

struct test_key {
  std::shared_ptr<EVP_PKEY> key;  // private + public
  std::string public_pem;         // "-----BEGIN PUBLIC KEY-----..."
};

// A fresh Ed25519 key pair.
inline test_key make_ed25519_key() {
  test_key k;
  k.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), k.key.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  k.public_pem.assign(data, static_cast<size_t>(n));
  return k;
}

// An RSA key's public PEM (a usable key of the wrong type).
inline std::string make_rsa_public_pem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

inline std::string base64url(std::string_view bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(abc[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(abc[(acc << (6 - bits)) & 63]);
  return out;
}

inline std::string base64(std::string_view bytes) {
  std::string out = base64url(bytes);
  for (auto& c : out) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (out.size() % 4) out.push_back('=');
  return out;
}

inline int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

// A payload with the usual claims; empty `sub` leaves it out.
inline std::string jwt_claims_json(const std::string& sub, int64_t iat, int64_t exp,
                                   const std::string& iss = "fabro-web") {
  std::string json = "{\"iss\":\"" + iss + "\",\"iat\":" + std::to_string(iat) +
                     ",\"exp\":" + std::to_string(exp);
  if (!sub.empty()) json += ",\"sub\":\"" + sub + "\"";
  return json + "}";
}

// header.payload signed with Ed25519 by `key`.
inline std::string sign_eddsa(const test_key& key, const std::string& payload_json,
                              const std::string& header_json =
                                  "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}") {
  std::string input = base64url(header_json) + "." + base64url(payload_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  size_t len = sizeof sig;
  EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.key.get());
  EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  return input + "." + base64url(std::string_view(reinterpret_cast<char*>(sig), len));
}

// header.payload with alg HS256, HMAC-SHA256 keyed with `secret` (the
// classic attack: the server's public key used as an HMAC secret).
inline std::string sign_hs256(const std::string& secret, const std::string& payload_json) {
  std::string input = base64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + base64url(payload_json);
  unsigned char mac[32];
  unsigned int len = sizeof mac;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), len));
}

// An unsigned token (alg "none", empty signature).
inline std::string unsigned_jwt(const std::string& payload_json) {
  return base64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64url(payload_json) + ".";
}

}  // namespace fabro::testing
