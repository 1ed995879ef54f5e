// The graph renderer: lays out and renders a workflow's DOT text with
// Graphviz's own library (cgraph + gvc, in process: no `dot` per request)
// for GET /api/v1/runs/{id}/graph and POST /api/v1/graph/render.
//
// Graphviz keeps global state and is not thread-safe, so one detached
// actor (its own thread: a large layout never holds a scheduler or HTTP
// thread) renders one graph at a time.
#pragma once

#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace fabro::actors {

using render_atom = caf::atom_constant<caf::atom("render")>;

using graph_renderer_actor = caf::typed_actor<
    // Renders DOT text `dot` as `format` ("svg" or "png") with rank
    // direction `direction` ("lr", "tb", or "" for the graph's own).
    // Answers the image bytes. Fails with errc::render_failed (Graphviz
    // could not read, lay out or render it: 502) naming Graphviz's message.
    caf::replies_to<render_atom, std::string, std::string, std::string>::with<std::string>>;

graph_renderer_actor spawn_graph_renderer(caf::actor_system& sys);

// The same rendering, synchronously on the calling thread (tests; the
// actor's body). Serialized by a process-wide lock. Fails like the actor.
caf::expected<std::string> render_graph(const std::string& dot, const std::string& format,
                                        const std::string& direction);

}  // namespace fabro::actors
