// The graph's `model_stylesheet` (reference §1.10): CSS-like rules that fill
// LLM settings on nodes that do not set them explicitly.
//
//   sheet    := rule*
//   rule     := selector "{" ( prop ":" value ";"? )* "}"
//   selector := "*" | SHAPE | "." CLASS | "#" NODE_ID
//   prop     := model | provider | reasoning_effort | speed | backend
//
// Specificity: `*` 0, shape 1, `.class` 2, `#id` 3. Only parsing lives here
// (rule stylesheet_syntax); applying rules matters for LLM stages alone,
// which are simulated on our machines. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/result.hpp"

namespace fabro::model {

struct stylesheet_rule {
  std::string selector;  // as written: "*", "box", ".fast", "#review"
  int specificity = 0;   // 0..3, see above
  std::vector<std::pair<std::string, std::string>> properties;  // in order
};

// Parses a stylesheet; "" gives no rules. Fails with errc::validation_failed
// and a sentence naming the fault (bad selector, unknown property, missing
// ':' / value / '}').
result<std::vector<stylesheet_rule>> parse_stylesheet(std::string_view text);

}  // namespace fabro::model
