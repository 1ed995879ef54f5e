// What Fabro's sandbox-access routes answer for this server's runs, whose
// sandboxes are local (or bubblewrap on this host): POST /runs/{id}/preview,
// POST /runs/{id}/ssh, GET /runs/{id}/sandbox/files, GET|PUT
// /runs/{id}/sandbox/file. Fabro serves them only for a cloud sandbox it
// can reach; for a local run it answers 409, and so does this server (after
// 404 for an unknown run). A local run's files are the host's working
// directory, which this server does not open to HTTP clients.
#pragma once

namespace fabro::model {

// 409 texts, one per route family.
inline constexpr const char* kNoPreview =
    "Run has no active sandbox: preview URLs need a cloud sandbox, and this run's is local.";
inline constexpr const char* kNoSsh =
    "Run has no active sandbox or provider does not support SSH: this run's sandbox is local.";
inline constexpr const char* kNoSandboxFiles =
    "Run has no active sandbox: a local run's files are the host's working directory, which "
    "this server does not serve over HTTP.";

}  // namespace fabro::model
