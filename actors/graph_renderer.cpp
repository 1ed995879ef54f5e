#include "actors/graph_renderer.hpp"

#include <cstdlib>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "actors/errors.hpp"

namespace fabro::actors {
namespace {

std::mutex g_graphviz;  // Graphviz's globals (error buffer, plugins) are shared

// Graphviz reports errors through a callback; keep the last one.
std::string g_last_error;
int on_graphviz_error(char* message) {
  g_last_error = message;
  while (!g_last_error.empty() && (g_last_error.back() == '\n' || g_last_error.back() == ' '))
    g_last_error.pop_back();
  return 0;
}

caf::error failed(const std::string& what) {
  return to_error(model::errc::render_failed,
                  "Graphviz rendering failed: " + what +
                      (g_last_error.empty() ? std::string() : " (" + g_last_error + ")"));
}

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's suppressions, for a sanitizer build (CMake's
// FABRO_SANITIZE): Graphviz lays text out through fontconfig (and pango and
// cairo for PNG), which keep process-wide caches they never free. Not ours,
// and not growing per render: the renderer's one gvContext lives for the
// process. Compiled in, so the server processes the e2e tests start get
// them as well as the test binaries.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libpango\n"
         "leak:libcairo\n"
         "leak:libgvc.so\n"
         "leak:libgvplugin\n"
         "leak:libcgraph.so\n";
}
#endif

caf::expected<std::string> render_graph(const std::string& dot, const std::string& format,
                                        const std::string& direction) {
  std::lock_guard<std::mutex> lock(g_graphviz);
  g_last_error.clear();
  agseterrf(on_graphviz_error);
  agseterr(AGMAX);  // errors are ours to report, not Graphviz's to print
  static GVC_t* gvc = gvContext();
  if (!gvc) return failed("no Graphviz context");
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) return failed("the workflow is not a graph Graphviz reads");
  if (!direction.empty())
    agsafeset(g, const_cast<char*>("rankdir"),
              const_cast<char*>(direction == "lr" ? "LR" : "TB"), const_cast<char*>(""));
  if (gvLayout(gvc, g, "dot") != 0) {
    agclose(g);
    return failed("layout");
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc, g, format.c_str(), &data, &length);
  std::string out;
  if (rc == 0 && data) out.assign(data, length);
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g);
  agclose(g);
  if (rc != 0) return failed("rendering " + format);
  return out;
}

graph_renderer_actor spawn_graph_renderer(caf::actor_system& sys) {
  // `unused`: CAF 0.17 dereferences a null argument tuple for a function
  // actor spawned without arguments (UBSan stops the server on it).
  return sys.spawn<caf::detached>([](int /*unused*/) -> graph_renderer_actor::behavior_type {
    return {
        [](render_atom, const std::string& dot, const std::string& format,
           const std::string& direction) -> caf::result<std::string> {
          auto out = render_graph(dot, format, direction);
          if (!out) return std::move(out.error());
          return std::move(*out);
        },
    };
  }, 0);
}

}  // namespace fabro::actors
