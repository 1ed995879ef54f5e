// Workflow graphs as images (issue 14), rendered by Graphviz in process
// (actors/graph_renderer.hpp; a render failure is 502 as in Fabro):
// GET /api/v1/runs/{id}/graph (the run's workflow as SVG) and
// POST /api/v1/graph/render ({manifest, format svg|png, direction lr|tb},
// validated like a new run, nothing created).
#include <simdjson.h>

#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/run_definition.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

const char* media_type_of(const std::string& format) {
  return format == "png" ? "image/png" : "image/svg+xml";
}

// Renders `dot` on `rep` as `format`.
void render(const route_context& ctx, reply_ptr rep, std::string dot, std::string format,
            std::string direction) {
  ask<std::string>(
      ctx.sys, ctx.renderer, std::move(rep),
      [format](reply& r, std::string& image) {
        r.send_bytes(Code::Ok, image, media_type_of(format));
      },
      actors::render_atom::value, std::move(dot), format, std::move(direction));
}

void run_graph(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto sys = &ctx.sys;
  auto renderer = ctx.renderer;
  ask<std::string>(
      ctx.sys, ctx.orch, rep,
      [sys, renderer, rep](reply& r, std::string& stored) {
        auto d = model::parse_run_definition(stored);
        if (!d) return r.send_problem(d.error());
        ask<std::string>(
            *sys, renderer, rep,
            [](reply& out, std::string& svg) { out.send_bytes(Code::Ok, svg, "image/svg+xml"); },
            actors::render_atom::value, std::move(d->source), std::string("svg"), std::string());
      },
      actors::definition_atom::value, *id);
}

model::problem bad_request(std::string detail) {
  return model::make_problem(model::errc::invalid_request, std::move(detail));
}

void render_graph(const route_context& ctx, const Request& req, reply_ptr rep) {
  simdjson::dom::parser parser;
  simdjson::dom::element body, manifest;
  if (parser.parse(req.body()).get(body) || body["manifest"].get(manifest) ||
      !manifest.is_object())
    return rep->send_problem(bad_request("The body must be {\"manifest\": RunManifest, ...}."));
  std::string format = "svg", direction;
  std::string_view v;
  if (auto f = body["format"]; !f.error()) {
    if (f.get(v) || (v != "svg" && v != "png"))
      return rep->send_problem(bad_request("format must be svg or png."));
    format = std::string(v);
  }
  if (auto d = body["direction"]; !d.error()) {
    if (d.get(v) || (v != "lr" && v != "tb"))
      return rep->send_problem(bad_request("direction must be lr or tb."));
    direction = std::string(v);
  }
  auto m = model::parse_manifest(simdjson::minify(manifest));
  if (!m) return rep->send_problem(m.error());
  auto definition = model::resolve_bundle(*m);
  if (!definition) return rep->send_problem(definition.error());
  render(ctx, std::move(rep), std::move(definition->source), format, direction);
}

}  // namespace

std::vector<route> graph_routes() {
  return {
      {"GET", "/api/v1/runs/:id/graph", run_graph},
      {"POST", "/api/v1/graph/render", render_graph},
  };
}

}  // namespace fabro::http
