// The environment of a command in the local sandbox (reference §4.4).
// Pure: the caller passes the host environment in.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fabro::model {

// Whether a variable may pass into a sandbox: PATH, HOME, USER, SHELL, LANG,
// TERM, TMPDIR, GOPATH, CARGO_HOME, NVM_DIR always; any other key unless it
// ends in _api_key, _secret, _token, _password or _credential
// (case-insensitive).
bool sandbox_env_allows(std::string_view key);

// `host` entries ("KEY=VALUE") filtered, then `extra` ([run.sandbox.env])
// added over them with the same filter. Result sorted by key, "KEY=VALUE".
std::vector<std::string> sandbox_environment(const std::vector<std::string>& host,
                                             const std::map<std::string, std::string>& extra);

}  // namespace fabro::model
