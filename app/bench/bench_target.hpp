// What `fabro-orchestrator bench` sends and where: the manifest body (built
// once, reused by every POST), the request texts, and the server's
// address, checked with one connection before any load.
//
// Free functions; they read files (manifests, .fabro trees), resolve names
// and connect, so they live in app/, not model/.
#pragma once

#include "app/client_options.hpp"
#include "model/result.hpp"

#include <sys/socket.h>

#include <string>

namespace fabro::app {

// A tiny valid RunManifest (no run_id, dry run, start -> exit) used when
// neither --manifest nor a .fabro file is given.
const std::string& default_bench_manifest();

// The body of every POST: `manifest_file` as it is (trailing white space
// dropped), or the manifest `submit` builds from a .fabro file (either
// argument may name one), or default_bench_manifest() when both are empty.
// Fails with errc::invalid_request when a file cannot be read.
model::result<std::string> bench_body(const std::string& manifest_file,
                                      const std::string& workflow_file, bool dry_run);

struct resolved_server {
  sockaddr_storage address{};
  socklen_t address_len = 0;
  std::string host_header;  // "host:port" as in the URL
};

// Resolves the server URL and opens (and closes) one connection to it
// within 5 s. Fails with errc::unavailable "cannot reach the server at
// URL: …", or errc::invalid_request for a bad URL.
model::result<resolved_server> reach_server(const client_options& client);

// "POST /api/v1/runs[?start=true]" with Host, Authorization (when a token
// is set), Content-Type and Content-Length, then `body`; keep-alive.
std::string post_runs_request(const resolved_server& server, const std::string& token,
                              const std::string& body, bool start);

// "GET /api/v1/attach" (every run's live events) with the same headers.
std::string attach_request(const resolved_server& server, const std::string& token);

}  // namespace fabro::app
