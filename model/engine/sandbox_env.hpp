// The environment of a command in the local sandbox (reference §4.4).
// Pure: the caller passes the host environment in.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fabro::model {

// Whether a variable of the server's own environment passes into a stage:
// an allow-list, so no server secret (AWS_SECRET_ACCESS_KEY, PGPASSWORD,
// DATABASE_URL, FABRO_DEV_TOKEN, ...) ever does. PATH, HOME, USER, LOGNAME,
// SHELL, LANG, LANGUAGE, LC_*, TERM, TMPDIR, TZ, GOPATH, CARGO_HOME,
// RUSTUP_HOME, NVM_DIR; nothing else.
bool host_env_passes(std::string_view key);

// Whether a [run.sandbox.env] entry (the run's own setting) passes: the
// host allow-list, and any other non-empty key unless it ends in _api_key,
// _secret, _token, _password or _credential (case-insensitive) as in Fabro.
bool sandbox_env_allows(std::string_view key);

// `host` entries ("KEY=VALUE") kept by host_env_passes, then `extra`
// ([run.sandbox.env]) added over them as sandbox_env_allows says. Result
// sorted by key, "KEY=VALUE".
std::vector<std::string> sandbox_environment(const std::vector<std::string>& host,
                                             const std::map<std::string, std::string>& extra);

}  // namespace fabro::model
