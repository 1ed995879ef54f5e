// Grammar of the accepted DOT subset (reference §1.1), source → dot_file.
//
//   file   := "digraph" IDENT "{" stmt* "}"   then only whitespace
//   stmt   := graph|node|edge attr_block ";"?  |  subgraph IDENT? "{" stmt* "}"
//           | IDENT "=" value ";"?  |  IDENT ("->" IDENT)* attr_block? ";"?
//   attr_block := "[" (KEY "=" value ("," KEY "=" value)*)? "]"
//
// Comments are stripped first (`//`, `/* */`; `#` is not a comment). Every
// construct outside the subset is rejected with a message naming it:
// `strict`, undirected `graph` and `--`, quoted or numeric IDs, ports,
// HTML labels, `{a b}` groups, `;` or spaces between attributes, a trailing
// comma, a dotted key in a top-level declaration, `;;`, `};` and trailing
// content after the closing brace, and subgraphs nested more than 64 deep.
// Pure; thread-safe.
#pragma once

#include <string_view>

#include "model/result.hpp"
#include "model/workflow/dot_ast.hpp"

namespace fabro::model {

// Parses `source`. On failure the problem is errc::validation_failed with
// exactly one diagnostic, rule "parse", at the 1-based line/column at fault.
result<dot_file> parse_dot(std::string_view source);

}  // namespace fabro::model
