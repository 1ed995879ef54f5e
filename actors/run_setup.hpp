// How runs execute on this server: the run options (actors/run.hpp) that
// an orchestrator_config asks for, with the stage handlers it implies (the
// built-in ones unless the config brings its own, LLM stages on the
// configured providers or simulated). Spawns those handlers. Used by the
// orchestrator and by a cluster node's executor (actors/cluster.hpp).
#pragma once

#include <caf/fwd.hpp>

#include "actors/orchestrator.hpp"
#include "actors/run.hpp"

namespace fabro::actors {

// `queue` is left null: whoever spawns the runs sets it.
run_options make_run_options(caf::actor_system& sys, const orchestrator_config& cfg);

}  // namespace fabro::actors
