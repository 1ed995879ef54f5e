// The dev token of `dev-token` authentication (reference §5.1, §5.2): a
// bearer secret `fabro_dev_` + 64 hex digits.
//
// The server takes it from FABRO_DEV_TOKEN when set; otherwise it keeps one
// in the data directory (file `dev-token`, mode 0600, owner only): made on
// first start, read again on every restart, so clients on the same machine
// can read it too. Free functions; the file ones do I/O (startup only).
#pragma once

#include <string>
#include <string_view>

#include "model/result.hpp"

namespace fabro::http {

// Name of the token file inside the data directory.
constexpr const char* kDevTokenFile = "dev-token";

// True for `fabro_dev_` followed by exactly 64 hex digits (either case).
bool is_dev_token(std::string_view text);

// A fresh token from OpenSSL's CSPRNG (RAND_bytes; 32 bytes, lower-case hex).
// Fails with errc::internal when the generator fails.
model::result<std::string> generate_dev_token();

struct dev_token_file {
  std::string token;  // the token in the file
  std::string path;   // data_dir/dev-token
  bool created;       // true when this call made the file
};

// Reads data_dir/dev-token, or creates it (exclusively, mode 0600, synced)
// with a generated token when it does not exist. Fails with
// errc::invalid_request naming the path when the file cannot be read or
// written, or holds something that is not a dev token.
// REQUIRES: data_dir exists.
model::result<dev_token_file> load_or_create_dev_token(const std::string& data_dir);

}  // namespace fabro::http
