#include "model/engine/sandbox_env.hpp"

#include <cctype>

namespace fabro::model {

bool host_env_passes(std::string_view key) {
  static const char* keep[] = {"PATH",   "HOME",       "USER",        "LOGNAME", "SHELL",
                               "LANG",   "LANGUAGE",   "TERM",        "TMPDIR",  "TZ",
                               "GOPATH", "CARGO_HOME", "RUSTUP_HOME", "NVM_DIR"};
  for (const char* k : keep)
    if (key == k) return true;
  return key.size() > 3 && key.substr(0, 3) == "LC_";
}

bool sandbox_env_allows(std::string_view key) {
  if (host_env_passes(key)) return true;
  std::string lower(key);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view suffix : {"_api_key", "_secret", "_token", "_password", "_credential"}) {
    if (lower.size() >= suffix.size() &&
        lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0)
      return false;
  }
  return !key.empty();
}

std::vector<std::string> sandbox_environment(const std::vector<std::string>& host,
                                             const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (const auto& kv : host) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    auto key = kv.substr(0, eq);
    if (host_env_passes(key)) env[key] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra)
    if (sandbox_env_allows(k)) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace fabro::model
