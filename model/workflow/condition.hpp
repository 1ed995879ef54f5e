// Public: model layer (installed for embedders under include/fabro/).
// Edge condition expressions (reference §1.8): parsing and evaluation.
//
//   expr   := and ( "||" and )*
//   and    := unary ( "&&" unary )*
//   unary  := "!" unary | clause
//   clause := WORD ( OP WORD )?      a bare WORD tests truthiness
//   OP     := = | != | > | < | >= | <= | contains | matches
//
// Words are separated by whitespace; `"…"` is one word (quotes stripped, \"
// and \\ unescaped); `contains`/`matches` are operators only right after a
// word; there are no parentheses (a `(` is part of a word); `key=` compares
// with the empty string. `matches` compiles its RE2 regex at parse time, so
// a bad regex is a parse error (validation rule condition_syntax).
//
// Evaluation resolves each clause's key to a string: `outcome` and
// `preferred_label` come from the routed node's outcome, `context.X` is the
// context key `context.X` or else `X`, any other key is a context key;
// missing keys read as "". Numeric comparisons fail closed: if either side
// is not a number the clause is false. An empty condition is true; a
// condition that does not parse evaluates to false.
//
// condition_expr is immutable after parsing and safe to share across threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace re2 {
class RE2;
}

namespace fabro::model {

enum class condition_op { truthy, eq, ne, gt, lt, ge, le, contains, matches };

struct condition_clause {
  bool negated = false;  // an odd number of leading '!'
  std::string key;
  condition_op op = condition_op::truthy;
  std::string value;                        // empty for truthy
  std::shared_ptr<const re2::RE2> regex;    // set for matches only
};

// Disjunction of conjunctions: true when any group has all clauses true.
// No groups (empty condition text) means always true.
struct condition_expr {
  std::vector<std::vector<condition_clause>> any_of;
};

// What a condition is evaluated against. The executor fills it before
// routing: `values` holds the run context rendered as strings (strings
// as-is, booleans true/false, numbers and JSON arrays/objects as JSON text).
struct condition_context {
  std::string outcome;          // succeeded | failed | partially_succeeded | skipped
  std::string preferred_label;  // "" when the outcome has none
  std::map<std::string, std::string, std::less<>> values;
};

// Parses a condition. Fails with errc::validation_failed and a detail
// sentence such as "expected a value after '>'" or "invalid regex ...".
result<condition_expr> parse_condition(std::string_view text);

// Evaluates a parsed condition.
bool evaluate(const condition_expr& expr, const condition_context& ctx);

// Parses then evaluates: empty → true, unparseable → false (fail closed).
bool evaluate_condition(std::string_view text, const condition_context& ctx);

// The string a clause key resolves to (see the header comment).
std::string resolve_condition_key(std::string_view key,
                                  const condition_context& ctx);

// Whether `expr` has a clause `outcome=<v>` (used by lint rules); the
// values found are appended to `out` when non-null.
bool has_outcome_clause(const condition_expr& expr,
                        std::vector<std::string>* out = nullptr);

}  // namespace fabro::model
