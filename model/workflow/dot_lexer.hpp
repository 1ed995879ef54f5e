// Character-level scanning for the .fabro DOT subset (reference §1.1).
//
// Two pieces:
//   - strip_comments() blanks `//` and `/* */` comments with spaces (keeping
//     newlines), never inside "…" strings, so every later line/column still
//     points into the original source.
//   - dot_lexer is a cursor over the stripped text that the grammar
//     (dot_parser) drives: identifiers, dotted keys, punctuation and the
//     seven value forms, tried in Fabro's order (quoted string, duration,
//     float, integer, boolean, bare string, identifier).
// Every failure is a problem of errc::validation_failed carrying one
// diagnostic with rule "parse" and the 1-based line/column at fault.
// Used only by the parser; not thread-safe (one lexer per parse).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.hpp"
#include "model/workflow/attr_value.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

// A problem of errc::validation_failed with one "parse" diagnostic at `pos`.
problem make_parse_problem(std::string message, source_pos pos);

// Same length as `source`, with comments replaced by spaces and newlines
// kept. Fails on an unterminated `/*` (at its opening position).
result<std::string> strip_comments(std::string_view source);

class dot_lexer {
 public:
  // A resumable position; see save()/restore().
  struct mark {
    std::size_t offset = 0;
    uint32_t line = 1;
    uint32_t column = 1;
  };

  // REQUIRES: `text` outlives the lexer and has been through strip_comments.
  explicit dot_lexer(std::string_view text) : text_(text) {}

  // Skips spaces, tabs, CR and LF.
  void skip_ws();
  bool at_end() const { return at_.offset >= text_.size(); }
  // The character `ahead` positions on, or '\0' past the end.
  char peek(std::size_t ahead = 0) const;
  source_pos pos() const { return {at_.line, at_.column}; }
  mark save() const { return at_; }
  void restore(mark m) { at_ = m; }

  // Consumes `lit` if the text continues with it exactly.
  bool consume(std::string_view lit);
  // Whether an IDENT ([A-Za-z_][A-Za-z0-9_]*) starts at the cursor.
  bool at_ident() const;
  // Consumes an IDENT; nothing (cursor unchanged) if none starts here.
  std::optional<std::string> ident();
  // Consumes a KEY: IDENT ("." IDENT)*, with no spaces inside.
  std::optional<std::string> key();
  // Consumes one attribute value in Fabro's order of forms. Fails on an
  // unterminated string, an HTML label (`<…>`) or no value at all.
  result<attr_value> value();

  // A parse problem at the cursor / at `p`.
  problem error(std::string message) const;
  static problem error_at(source_pos p, std::string message);

 private:
  void advance(std::size_t n = 1);
  result<attr_value> quoted();
  std::optional<attr_value> number_or_duration();

  std::string_view text_;
  mark at_;
};

// IDENT character classes.
inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

}  // namespace fabro::model
