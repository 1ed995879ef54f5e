#include "app/client_options.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fabro::app {

using model::errc;
using model::make_problem;

model::result<server_address> parse_server_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return make_problem(errc::invalid_request, "server URL must start with http://: " + url);
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  server_address u{rest, "80"};
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    u.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') u.port = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    u.host = rest.substr(0, colon);
    u.port = rest.substr(colon + 1);
  }
  if (u.host.empty()) return make_problem(errc::invalid_request, "bad server URL: " + url);
  return u;
}

void connection_flags::add_to(CLI::App* cmd) {
  cmd->add_option("--server", server, "Server URL (default $FABRO_SERVER or http://127.0.0.1:32276)");
  cmd->add_option("--token", token, "Bearer token (default $FABRO_DEV_TOKEN / $FABRO_TOKEN)");
  cmd->add_option("--data-dir", data_dir, "Data directory of a local server, for its dev token");
}

client_options connection_flags::resolve() const {
  client_options o;
  const char* env_server = std::getenv("FABRO_SERVER");
  o.server = !server.empty() ? server : env_server && *env_server ? env_server : o.server;
  while (!o.server.empty() && o.server.back() == '/') o.server.pop_back();
  if (!token.empty()) {
    o.token = token;
  } else if (const char* dev = std::getenv("FABRO_DEV_TOKEN"); dev && *dev) {
    o.token = dev;
  } else if (const char* jwt = std::getenv("FABRO_TOKEN"); jwt && *jwt) {
    o.token = jwt;
  } else {
    // A server on this machine keeps its generated token in its data dir.
    std::ifstream in(std::filesystem::path(data_dir) / "dev-token");
    std::getline(in, o.token);
  }
  return o;
}

}  // namespace fabro::app
