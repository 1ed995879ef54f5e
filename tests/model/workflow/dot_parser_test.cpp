#include "model/workflow/dot_parser.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

namespace {

// The single parse diagnostic of a failed parse.
diagnostic parse_error(std::string_view src) {
  auto r = parse_dot(src);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().code == errc::validation_failed);
  REQUIRE(r.error().diagnostics.size() == 1);
  CHECK(r.error().diagnostics[0].rule == "parse");
  return r.error().diagnostics[0];
}

dot_file parsed(std::string_view src) {
  auto r = parse_dot(src);
  if (!r) FAIL(r.error().detail);
  return *r;
}

const attr_value& attr(const dot_stmt& s, std::size_t i) {
  REQUIRE(s.attrs.size() > i);
  return s.attrs[i].value;
}

}  // namespace

TEST_CASE("a minimal digraph parses to its name and statements", "[parser]") {
  auto f = parsed("digraph Smoke { start -> exit }");
  CHECK(f.name == "Smoke");
  REQUIRE(f.stmts.size() == 1);
  CHECK(f.stmts[0].type == dot_stmt::kind::edge_chain);
  CHECK(f.stmts[0].ids == std::vector<std::string>{"start", "exit"});
}

TEST_CASE("every statement form is recognised", "[parser]") {
  auto f = parsed(R"(digraph G {
    graph [goal="x"]
    node [shape=box];
    edge [weight=1]
    rankdir=LR
    subgraph cluster_a { a }
    b [label="B"];
    a -> b -> c [weight=2]
  })");
  using k = dot_stmt::kind;
  REQUIRE(f.stmts.size() == 7);
  CHECK(f.stmts[0].type == k::graph_attrs);
  CHECK(f.stmts[1].type == k::node_defaults);
  CHECK(f.stmts[2].type == k::edge_defaults);
  CHECK(f.stmts[3].type == k::graph_decl);
  CHECK(f.stmts[4].type == k::subgraph);
  CHECK(f.stmts[4].subgraph_name == "cluster_a");
  CHECK(f.stmts[5].type == k::node);
  CHECK(f.stmts[6].type == k::edge_chain);
  CHECK(f.stmts[6].ids.size() == 3);
}

TEST_CASE("keywords not followed by a block are plain node IDs", "[parser]") {
  auto f = parsed("digraph G { node; graph -> edge subgraph }");
  REQUIRE(f.stmts.size() == 3);
  CHECK(f.stmts[0].ids[0] == "node");
  CHECK(f.stmts[1].ids == std::vector<std::string>{"graph", "edge"});
  CHECK(f.stmts[2].ids[0] == "subgraph");
}

TEST_CASE("an anonymous subgraph and an empty attribute list parse",
          "[parser]") {
  auto f = parsed("digraph G { subgraph { a [] } }");
  CHECK(f.stmts[0].subgraph_name.empty());
  CHECK(f.stmts[0].body[0].attrs.empty());
}

TEST_CASE("dotted keys are accepted inside attribute lists", "[parser]") {
  auto f = parsed(
      "digraph G { m [stack.child_workflow=\"c.fabro\", "
      "human.default_choice=yes] }");
  CHECK(f.stmts[0].attrs[0].key == "stack.child_workflow");
  CHECK(f.stmts[0].attrs[1].key == "human.default_choice");
}

TEST_CASE("values are typed by their lexical form", "[parser]") {
  auto f = parsed(R"(digraph G { n [
    a="text", b=900s, c="900s", d=250ms, e=-5m, f=1.5, g=-.25, h=42, i=-7,
    j=true, k=false, l=claude-sonnet-4-5, m=gpt.4, n=LR, o="true", p="5",
    q=2h, r=1d, s=true_thing
  ] })");
  const auto& s = f.stmts[0];
  CHECK(attr(s, 0).as_string() == "text");
  CHECK(attr(s, 1).as_duration_ms() == 900000);
  CHECK(attr(s, 2).as_duration_ms() == 900000);
  CHECK(attr(s, 3).as_duration_ms() == 250);
  CHECK(attr(s, 4).as_duration_ms() == -300000);
  CHECK(attr(s, 5).as_float() == 1.5);
  CHECK(attr(s, 6).as_float() == -0.25);
  CHECK(attr(s, 7).as_int() == 42);
  CHECK(attr(s, 8).as_int() == -7);
  CHECK(attr(s, 9).as_bool() == true);
  CHECK(attr(s, 10).as_bool() == false);
  CHECK(attr(s, 11).as_string() == "claude-sonnet-4-5");
  CHECK(attr(s, 12).as_string() == "gpt.4");
  CHECK(attr(s, 13).as_string() == "LR");
  CHECK(attr(s, 14).as_string() == "true");
  CHECK(attr(s, 15).as_string() == "5");
  CHECK(attr(s, 16).as_duration_ms() == 7200000);
  CHECK(attr(s, 17).as_duration_ms() == 86400000);
  CHECK(attr(s, 18).as_string() == "true_thing");
}

TEST_CASE("quoted strings resolve four escapes and keep the others",
          "[parser]") {
  auto f = parsed(R"(digraph G { n [a="say \"hi\"\\ \n\t \x \
end"] })");
  CHECK(attr(f.stmts[0], 0).as_string() == "say \"hi\"\\ \n\t \\x \\\nend");
}

TEST_CASE("comments are stripped but never inside strings", "[parser]") {
  auto f = parsed(R"(// leading
digraph G { /* block
  spanning */ a [label="http://x /* not */"] // trailing
})");
  REQUIRE(f.stmts.size() == 1);
  CHECK(attr(f.stmts[0], 0).as_string() == "http://x /* not */");
  CHECK(f.stmts[0].pos.line == 3);  // block comment kept its newline
  CHECK(f.stmts[0].pos.column == 15);
}

TEST_CASE("semicolons after statements are optional, one at most",
          "[parser]") {
  CHECK(parse_dot("digraph G { a; b -> c; rankdir=LR; node [x=1]; }").ok());
  auto d = parse_error("digraph G { a;; }");
  CHECK(d.message == "unexpected ';'");
  CHECK(d.column == 15);
  CHECK(parse_error("digraph G { subgraph s { a }; }").column == 29);
}

TEST_CASE("statement positions are recorded per node ID", "[parser]") {
  auto f = parsed("digraph G {\n  a ->\n    b\n}");
  CHECK(f.stmts[0].id_pos[0].line == 2);
  CHECK(f.stmts[0].id_pos[0].column == 3);
  CHECK(f.stmts[0].id_pos[1].line == 3);
  CHECK(f.stmts[0].id_pos[1].column == 5);
}

TEST_CASE("constructs outside the subset fail with line and column",
          "[parser]") {
  struct bad {
    const char* src;
    const char* message;
    uint32_t line, column;
  };
  bad cases[] = {
      {"strict digraph G {}", "'strict' graphs are not supported", 1, 1},
      {"graph G { a -- b }",
       "undirected 'graph' is not supported; use 'digraph'", 1, 1},
      {"digraph G {\n a -- b }",
       "undirected edges '--' are not supported; use '->'", 2, 4},
      {"digraph { a }", "missing graph name", 1, 9},
      {"digraph \"G\" { a }", "quoted graph names are not supported", 1, 9},
      {"digraph G { \"a\" -> b }", "quoted node IDs are not supported", 1, 13},
      {"digraph G { a -> \"b\" }", "quoted node IDs are not supported", 1, 18},
      {"digraph G { 1 -> b }", "numeric node IDs are not supported", 1, 13},
      {"digraph G { a -> 2 }", "numeric node IDs are not supported", 1, 18},
      {"digraph G { a:p -> b }", "ports are not supported", 1, 14},
      {"digraph G { a [label=<b>x</b>] }", "HTML labels are not supported",
       1, 22},
      {"digraph G { {a b} -> c }", "node groups '{…}' are not supported", 1,
       13},
      {"digraph G { a [x=1; y=2] }", "';' cannot separate attributes; use ','",
       1, 19},
      {"digraph G { a [x=1 y=2] }", "attributes must be separated by ','", 1,
       20},
      {"digraph G { a [x=1,] }", "trailing comma in attribute list", 1, 20},
      {"digraph G { a [x] }", "expected '=' after attribute 'x'", 1, 17},
      {"digraph G { a.b=1 }",
       "dotted keys are not allowed in top-level declarations", 1, 14},
      {"digraph G { a } b", "unexpected trailing content", 1, 17},
      {"digraph G { a }\n;", "unexpected trailing content", 2, 1},
      {"digraph G {\n# note\n}",
       "'#' is not a comment in .fabro files; use // or /* */", 2, 1},
      {"digraph G { a [x=\"open] }", "unterminated string", 1, 18},
      {"digraph G { /* open }", "unterminated block comment '/*'", 1, 13},
      {"digraph G { a", "expected '}' before end of input", 1, 14},
      {"digraph G { a [x=5min] }", "unexpected 'm' directly after a value", 1,
       19},
      {"digraph G { a [x=1.5s] }", "unexpected 's' directly after a value", 1,
       21},
      {"digraph G { a [x=1 ; y=2] }", "';' cannot separate attributes; use ','",
       1, 20},
      {"digraph G { a [x=1] [y=2] }", "expected a statement, found '['", 1,
       21},
      {"digraph G { a [x=] }", "expected a value", 1, 18},
      {"digraph G { a -> }", "expected a node ID after '->', found '}'", 1,
       18},
      {"", "expected 'digraph'", 1, 1},
  };
  for (const auto& c : cases) {
    INFO(c.src);
    auto d = parse_error(c.src);
    CHECK(d.message == c.message);
    CHECK(d.line == c.line);
    CHECK(d.column == c.column);
  }
}

TEST_CASE("subgraph nesting is bounded, so no input can overflow the stack", "[parser]") {
  auto nested = [](int depth) {
    std::string src = "digraph G { ";
    for (int i = 0; i < depth; ++i) src += "subgraph s" + std::to_string(i) + " { ";
    src += "a ";
    for (int i = 0; i < depth; ++i) src += "} ";
    return src + "}";
  };
  CHECK(parse_dot(nested(64)).ok());
  auto d = parse_error(nested(65));
  CHECK(d.message == "subgraphs nested more than 64 deep are not supported");
  CHECK(d.line == 1);
  // The 8,000-deep workflow that crashed the server (issue 11) is one diagnostic.
  CHECK(parse_error(nested(8000)).message ==
        "subgraphs nested more than 64 deep are not supported");
  std::string unclosed = "digraph G { ";
  for (int i = 0; i < 100000; ++i) unclosed += "subgraph s { ";
  CHECK(parse_error(unclosed).message == "subgraphs nested more than 64 deep are not supported");
}
