// Workflow graphs rendered by Graphviz (issue 14): GET /api/v1/runs/{id}/graph
// answers the run's workflow as SVG, POST /api/v1/graph/render a manifest's
// as SVG or PNG, in the direction asked, without creating a run.
#include <catch2/catch.hpp>

#include <algorithm>

#include <expat.h>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;

namespace {

// What an XML parse of an SVG found: well-formed or not, and the titles of
// its `<g class="node">` groups (Graphviz puts the node's name in <title>).
struct svg_scan {
  bool well_formed = false;
  std::string root;
  std::vector<std::string> nodes;
  // internal
  int depth = 0, node_depth = -1;
  bool in_title = false;
  std::string title;
};

void on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto& s = *static_cast<svg_scan*>(data);
  if (s.depth++ == 0) s.root = name;
  if (std::string(name) == "g") {
    for (int i = 0; attrs[i]; i += 2)
      if (std::string(attrs[i]) == "class" && std::string(attrs[i + 1]) == "node")
        s.node_depth = s.depth;
  } else if (std::string(name) == "title" && s.node_depth == s.depth - 1) {
    s.in_title = true;
    s.title.clear();
  }
}

void on_end(void* data, const XML_Char* name) {
  auto& s = *static_cast<svg_scan*>(data);
  if (s.in_title && std::string(name) == "title") {
    s.in_title = false;
    s.nodes.push_back(s.title);
  }
  if (s.depth-- == s.node_depth) s.node_depth = -1;
}

void on_text(void* data, const XML_Char* text, int len) {
  auto& s = *static_cast<svg_scan*>(data);
  if (s.in_title) s.title.append(text, len);
}

svg_scan scan_svg(const std::string& body) {
  svg_scan s;
  XML_Parser p = XML_ParserCreate(nullptr);
  XML_SetUserData(p, &s);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  s.well_formed = XML_Parse(p, body.data(), static_cast<int>(body.size()), 1) == XML_STATUS_OK;
  XML_ParserFree(p);
  std::sort(s.nodes.begin(), s.nodes.end());
  return s;
}

// A four-node workflow: start -> plan -> work -> exit.
const char* kWorkflow =
    "digraph G { graph [goal=\"Draw me\"] start [shape=Mdiamond] exit [shape=Msquare]\n"
    "  plan [label=\"Plan\", prompt=\"Plan it\"]\n"
    "  work [shape=parallelogram, script=\"true\"]\n"
    "  start -> plan -> work -> exit }";

std::string render_body(const std::string& manifest, const std::string& extra) {
  return "{\"manifest\":" + manifest + extra + "}";
}

}  // namespace

TEST_CASE("a run's graph is an SVG with one node group per workflow node", "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data");
  auto created = http_request(server.port(), "POST", "/api/v1/runs",
                              exec_manifest(kWorkflow, dir.path));
  REQUIRE(created.status == 201);
  auto id = json_string_field(created.body, "id");

  auto r = http_request(server.port(), "GET", "/api/v1/runs/" + id + "/graph");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"].rfind("image/svg+xml", 0) == 0);
  auto svg = scan_svg(r.body);
  CHECK(svg.well_formed);
  CHECK(svg.root == "svg");
  CHECK(svg.nodes == std::vector<std::string>{"exit", "plan", "start", "work"});

  CHECK(http_request(server.port(), "GET", "/api/v1/runs/01JRZ3NDEKTSV4RRFFQ69G5FAV/graph")
            .status == 404);
  CHECK(http_request(server.port(), "GET", "/api/v1/runs/nope/graph").status == 400);
}

TEST_CASE("graph render draws a manifest as SVG or PNG in the direction asked", "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data");
  auto manifest = exec_manifest(kWorkflow, dir.path);
  auto post = [&](const std::string& body) {
    return http_request(server.port(), "POST", "/api/v1/graph/render", body);
  };

  auto lr = post(render_body(manifest, ",\"format\":\"svg\",\"direction\":\"lr\""));
  REQUIRE(lr.status == 200);
  auto tb = post(render_body(manifest, ",\"direction\":\"tb\""));
  REQUIRE(tb.status == 200);
  auto a = scan_svg(lr.body), b = scan_svg(tb.body);
  CHECK(a.well_formed);
  CHECK(b.well_formed);
  CHECK(a.nodes.size() == 4);
  CHECK(b.nodes.size() == 4);
  CHECK(lr.body != tb.body);  // laid out left to right, then top to bottom

  auto png = post(render_body(manifest, ",\"format\":\"png\""));
  REQUIRE(png.status == 200);
  CHECK(png.headers["content-type"].rfind("image/png", 0) == 0);
  REQUIRE(png.body.size() > 8);
  CHECK(png.body.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);

  // Bad input: a clear 400, and no run is created by any of it.
  CHECK(post(render_body(manifest, ",\"format\":\"gif\"")).status == 400);
  CHECK(post(render_body(manifest, ",\"direction\":\"rl\"")).status == 400);
  CHECK(post("{\"format\":\"svg\"}").status == 400);
  CHECK(post("not json").status == 400);
  auto broken = exec_manifest("digraph G { start -> }", dir.path);
  auto bad = post(render_body(broken, ""));
  CHECK(bad.status == 400);
  CHECK(http_request(server.port(), "GET", "/api/v1/runs").body == "[]");
}
