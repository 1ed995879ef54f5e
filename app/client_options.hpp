// Where the client commands (submit, status, ..., bench) send requests and
// with which token, and the --server / --token / --data-dir flags that
// choose them. Server URL: --server, else FABRO_SERVER, else
// http://127.0.0.1:32276. Token: --token, else FABRO_DEV_TOKEN, else
// FABRO_TOKEN (a JWT), else the dev-token file of a server on this machine
// (--data-dir, default fabro-data).
#pragma once

#include "model/result.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace fabro::app {

struct client_options {
  std::string server = "http://127.0.0.1:32276";  // --server, FABRO_SERVER
  std::string token;  // sent as "Authorization: Bearer <token>" when set
};

// The host and port of an http:// server URL (port 80 when absent; an IPv6
// host in brackets comes out without them).
struct server_address {
  std::string host;
  std::string port;
};

// Fails with errc::invalid_request when `url` is not http://HOST[:PORT][/...].
model::result<server_address> parse_server_url(const std::string& url);

// The connection flags of one client subcommand, as typed.
struct connection_flags {
  std::string server, token, data_dir = "fabro-data";

  // Registers --server, --token and --data-dir on `cmd`.
  void add_to(CLI::App* cmd);
  // The options the flags, the environment and the dev-token file give
  // (see above). Reads the environment and, without a token, one file.
  client_options resolve() const;
};

}  // namespace fabro::app
