#include "app/serve_config.hpp"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "http/auth.hpp"

namespace fabro::app {

using model::done;
using model::errc;
using model::make_problem;
using model::result;

namespace {

model::problem bad(const std::string& where, const std::string& key, const std::string& what) {
  return make_problem(errc::invalid_request, where + ": " + key + ": " + what);
}

template <class T>
result<T> read_number(const YAML::Node& node, const std::string& where, const std::string& key) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    return bad(where, key, "expected a positive integer, got '" + node.Scalar() + "'");
  }
}

}  // namespace

result<done> parse_bind(const std::string& text, serve_config& cfg) {
  std::string host = text, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return make_problem(errc::invalid_request, "bind: bad address '" + text + "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return make_problem(errc::invalid_request, "bind: bad address '" + text + "'");
      port = text.substr(close + 2);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return make_problem(errc::invalid_request, "bind: missing host in '" + text + "'");
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535)
      return make_problem(errc::invalid_request, "bind: bad port in '" + text + "'");
    cfg.port = static_cast<uint16_t>(std::stoul(port));
  }
  cfg.host = host;
  return done{};
}

result<done> load_yaml_config(const std::string& path, serve_config& cfg) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return make_problem(errc::invalid_request, path + ": cannot read the config file");
  } catch (const YAML::ParserException& e) {
    return make_problem(errc::invalid_request,
                        path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return done{};  // an empty file changes nothing
  if (!root.IsMap())
    return make_problem(errc::invalid_request, path + ": expected a mapping of keys to values");
  for (const auto& item : root) {
    std::string key = item.first.as<std::string>();
    for (auto& c : key)
      if (c == '-') c = '_';
    const YAML::Node& v = item.second;
    std::string where = path + ":" + std::to_string(item.first.Mark().line + 1);
    if (key == "allowed_usernames") {
      if (!v.IsSequence() && !v.IsNull()) return bad(where, key, "expected a list of usernames");
      cfg.allowed_usernames.clear();
      for (const auto& name : v) {
        if (!name.IsScalar() || name.Scalar().empty())
          return bad(where, key, "expected a list of usernames");
        cfg.allowed_usernames.push_back(name.Scalar());
      }
      continue;
    }
    if (!v.IsScalar()) return bad(where, key, "expected a single value");
    if (key == "bind") {
      if (auto r = parse_bind(v.Scalar(), cfg); !r)
        return make_problem(errc::invalid_request, where + ": " + r.error().detail);
    } else if (key == "data_dir") {
      cfg.data_dir = v.Scalar();
    } else if (key == "store") {
      cfg.store = v.Scalar();
    } else if (key == "node_id") {
      cfg.node_id = v.Scalar();
    } else if (key == "cluster_endpoint") {
      cfg.cluster_endpoint = v.Scalar();
    } else if (key == "threads" || key == "actor_threads") {
      auto n = read_number<int>(v, where, key);
      if (!n) return n.error();
      (key == "threads" ? cfg.threads : cfg.actor_threads) = *n;
    } else if (key == "sse_keepalive_ms" || key == "header_timeout_ms" ||
               key == "idle_timeout_ms") {
      auto n = read_number<uint64_t>(v, where, key);
      if (!n) return n.error();
      (key == "sse_keepalive_ms"    ? cfg.sse_keepalive_ms
       : key == "header_timeout_ms" ? cfg.header_timeout_ms
                                    : cfg.idle_timeout_ms) = *n;
    } else if (key == "max_body_bytes" || key == "max_header_bytes" ||
               key == "max_connections") {
      auto n = read_number<uint64_t>(v, where, key);
      if (!n) return n.error();
      (key == "max_body_bytes"     ? cfg.max_body_bytes
       : key == "max_header_bytes" ? cfg.max_header_bytes
                                   : cfg.max_connections) = *n;
    } else if (key == "max_concurrent_runs" || key == "max_queued_runs") {
      auto n = read_number<uint64_t>(v, where, key);
      if (!n) return n.error();
      (key == "max_concurrent_runs" ? cfg.max_concurrent_runs : cfg.max_queued_runs) = *n;
    } else if (key == "local_sandbox" || key == "simulate_llm") {
      try {
        (key == "local_sandbox" ? cfg.local_sandbox : cfg.simulate_llm) = v.as<bool>();
      } catch (const YAML::Exception&) {
        return bad(where, key, "expected true or false, got '" + v.Scalar() + "'");
      }
    } else if (key == "llm_provider") {
      cfg.llm_provider = v.Scalar();
    } else if (key == "llm_model") {
      cfg.llm_model = v.Scalar();
    } else if (key == "openai_base_url") {
      cfg.openai_base_url = v.Scalar();
    } else if (key == "anthropic_base_url") {
      cfg.anthropic_base_url = v.Scalar();
    } else if (key == "openai_api_key_file") {
      cfg.openai_api_key_file = v.Scalar();
    } else if (key == "anthropic_api_key_file") {
      cfg.anthropic_api_key_file = v.Scalar();
    } else if (key == "sandbox") {
      cfg.sandbox = v.Scalar();
    } else if (key == "log_level") {
      cfg.log_level = v.Scalar();
    } else if (key == "auth_mode") {
      cfg.auth_mode = v.Scalar();
    } else if (key == "jwt_public_key_file") {
      cfg.jwt_public_key_file = v.Scalar();
    } else if (key == "jwt_issuer") {
      cfg.jwt_issuer = v.Scalar();
    } else {
      return bad(where, key, "unknown key");
    }
    if (auto r = check_config(cfg); !r)
      return make_problem(errc::invalid_request, where + ": " + r.error().detail);
  }
  return done{};
}

std::optional<std::pair<std::string, uint16_t>> split_endpoint(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  auto port = endpoint.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto n = std::stoul(port);
  if (n > 65535) return std::nullopt;
  return std::make_pair(endpoint.substr(0, colon), static_cast<uint16_t>(n));
}

store_location resolve_store(const serve_config& cfg) {
  if (cfg.store.rfind("sqlite:", 0) == 0) return {false, cfg.store.substr(7)};
  if (!cfg.store.empty()) return {true, cfg.store};
  return {false, (std::filesystem::path(cfg.data_dir) / "runs.db").string()};
}

result<done> check_config(const serve_config& cfg) {
  if (cfg.threads < 1 || cfg.threads > 64)
    return make_problem(errc::invalid_request, "threads: must be between 1 and 64");
  if (cfg.actor_threads < 1 || cfg.actor_threads > 64)
    return make_problem(errc::invalid_request, "actor_threads: must be between 1 and 64");
  if (cfg.max_body_bytes < 1024)
    return make_problem(errc::invalid_request, "max_body_bytes: must be at least 1024");
  if (cfg.log_level != "error" && cfg.log_level != "warn" && cfg.log_level != "info" &&
      cfg.log_level != "debug")
    return make_problem(errc::invalid_request,
                        "log_level: must be one of error, warn, info, debug");
  if (cfg.data_dir.empty())
    return make_problem(errc::invalid_request, "data_dir: must not be empty");
  if (!cfg.store.empty() && cfg.store.rfind("sqlite:", 0) != 0 &&
      cfg.store.rfind("postgresql://", 0) != 0 && cfg.store.rfind("postgres://", 0) != 0)
    return make_problem(errc::invalid_request,
                        "store: must be sqlite:PATH or postgresql://user@host:port/database");
  if (cfg.store == "sqlite:")
    return make_problem(errc::invalid_request, "store: sqlite: needs a file path");
  if (!split_endpoint(cfg.cluster_endpoint))
    return make_problem(errc::invalid_request, "cluster_endpoint: must be HOST:PORT (got '" +
                                                   cfg.cluster_endpoint + "')");
  if (cfg.sandbox != "local" && cfg.sandbox != "bubblewrap")
    return make_problem(errc::invalid_request,
                        "sandbox: must be local or bubblewrap (got '" + cfg.sandbox + "')");
  if (!cfg.llm_provider.empty() && cfg.llm_provider != "openai" && cfg.llm_provider != "anthropic")
    return make_problem(errc::invalid_request, "llm_provider: must be openai or anthropic (got '" +
                                                   cfg.llm_provider + "')");
  if (cfg.max_header_bytes < 1024 || cfg.max_header_bytes > (1u << 20))
    return make_problem(errc::invalid_request,
                        "max_header_bytes: must be between 1024 and 1048576");
  auto mode = http::parse_auth_mode(cfg.auth_mode);
  if (!mode)
    return make_problem(errc::invalid_request,
                        "auth_mode: must be one of dev-token, jwt, none (got '" + cfg.auth_mode +
                            "')");
  if (cfg.jwt_issuer.empty())
    return make_problem(errc::invalid_request, "jwt_issuer: must not be empty");
  if (*mode == http::auth_mode::none && !http::is_loopback_host(cfg.host))
    return make_problem(errc::invalid_request,
                        "auth_mode: none is only allowed on a loopback address, not " +
                            cfg.host);
  return done{};
}

}  // namespace fabro::app
