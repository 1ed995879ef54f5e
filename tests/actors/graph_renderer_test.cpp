// The graph renderer (actors/graph_renderer.hpp): Graphviz in process, its
// failures an errc::render_failed naming what Graphviz said (502 in HTTP).
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/graph_renderer.hpp"

using namespace fabro;

TEST_CASE("the renderer draws DOT as SVG and PNG and honours the direction", "[actors]") {
  std::string dot = "digraph G { a -> b -> c }";
  auto svg = actors::render_graph(dot, "svg", "");
  REQUIRE(svg);
  CHECK(svg->find("<svg") != std::string::npos);
  CHECK(svg->find("class=\"node\"") != std::string::npos);
  auto lr = actors::render_graph(dot, "svg", "lr");
  REQUIRE(lr);
  CHECK(*lr != *svg);
  auto png = actors::render_graph(dot, "png", "tb");
  REQUIRE(png);
  CHECK(png->compare(0, 4, "\x89PNG") == 0);
}

TEST_CASE("what Graphviz cannot read or render is render_failed with its message", "[actors]") {
  auto unreadable = actors::render_graph("digraph G { a -> ", "svg", "");
  REQUIRE_FALSE(unreadable);
  CHECK(actors::to_problem(unreadable.error()).code == model::errc::render_failed);
  CHECK(actors::to_problem(unreadable.error()).detail.find("Graphviz") != std::string::npos);
  auto unknown_format = actors::render_graph("digraph G { a }", "nosuchformat", "");
  REQUIRE_FALSE(unknown_format);
  CHECK(actors::to_problem(unknown_format.error()).code == model::errc::render_failed);
  // A failure leaves nothing behind: the next graph renders.
  CHECK(actors::render_graph("digraph G { a }", "svg", ""));
}

TEST_CASE("the renderer actor answers images and errors as the function does", "[actors]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto renderer = actors::spawn_graph_renderer(sys);
  caf::scoped_actor self{sys};
  std::string image;
  self->request(renderer, caf::infinite, actors::render_atom::value,
                std::string("digraph G { a -> b }"), std::string("svg"), std::string())
      .receive([&](std::string& out) { image = std::move(out); },
               [&](caf::error&) { FAIL("render failed"); });
  CHECK(image.find("<svg") != std::string::npos);
  model::errc got = model::errc::internal;
  self->request(renderer, caf::infinite, actors::render_atom::value, std::string("graph {"),
                std::string("svg"), std::string())
      .receive([&](std::string&) { FAIL("rendered garbage"); },
               [&](caf::error& e) { got = actors::to_problem(e).code; });
  CHECK(got == model::errc::render_failed);
  self->send_exit(renderer, caf::exit_reason::user_shutdown);
}
