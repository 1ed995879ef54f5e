// Which sandbox a run's command stages get, and the bubblewrap command line
// that isolates one stage. Pure: what is installed is the caller's input.
//
// Providers:
//  - "local": bash runs as the server's user on this host, with fds 0-2
//    only and an allow-listed environment (sandbox_env.hpp). It can read
//    whatever that user can.
//  - "bubblewrap": bash runs under bwrap(1) in its own PID, IPC and UTS
//    namespaces: the whole file system read-only, a fresh /proc (no server
//    process to look at), a private /dev and /tmp, the data directory
//    hidden under an empty tmpfs, and only the working directory writable.
//    The sandbox dies with the process that started it (--die-with-parent:
//    every process in the PID namespace is killed), so a crashed server
//    leaves no stage behind. The network is shared (stages fetch code).
#pragma once

#include <string>
#include <vector>

#include "model/result.hpp"

namespace fabro::model {

// The provider a stage of a run runs in. `requested` is the run's
// run.sandbox.provider ("local" by default); `server_default` the server's
// `sandbox` setting; a server set to "bubblewrap" runs every stage there
// (a run cannot ask for less). `bwrap_available` says whether bwrap can
// create namespaces on this host. Fails with errc::invalid_request naming
// the provider when it is unknown or not available here.
result<std::string> choose_sandbox(const std::string& requested,
                                   const std::string& server_default, bool bwrap_available);

// The argv prefix that runs a command in the bubblewrap sandbox: bwrap at
// `bwrap_path` with the mounts above, `work_dir` writable and the current
// directory, each of `hidden` (absolute paths, e.g. the data directory)
// replaced by an empty tmpfs. The command (/bin/bash -c SCRIPT) follows.
std::vector<std::string> bubblewrap_argv(const std::string& bwrap_path,
                                         const std::string& work_dir,
                                         const std::vector<std::string>& hidden);

}  // namespace fabro::model
