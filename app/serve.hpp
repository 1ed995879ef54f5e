// `fabro-orchestrator serve`: open the store, start the actors and the HTTP
// endpoint, wait for SIGINT/SIGTERM, then stop accepting, let the journal
// finish what it has, and exit.
#pragma once

#include "app/serve_config.hpp"

namespace fabro::app {

// Runs the server until a signal; returns the process exit code (0 after a
// clean shutdown, 1 when the store or the address cannot be opened, 2 when
// authentication cannot be set up: a one-line reason on stderr).
// REQUIRES: SIGINT and SIGTERM blocked in every thread (main does this
// before any thread starts).
int serve(const serve_config& cfg);

}  // namespace fabro::app
