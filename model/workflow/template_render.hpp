// The MiniJinja subset that .fabro workflows use (engine reference §1.10):
// `{{ goal }}` and `{{ inputs.NAME }}` with strict undefined variables,
// `{# comments #}`, and `{% raw %}…{% endraw %}` to protect text such as
// Bash's `${#var}`. Any other tag, filter or expression is an error, as an
// undefined variable is: the workflow is then invalid.
//
// Two passes use it (§2.1): the whole raw source with `inputs` only (goal kept
// as the literal `{{ goal }}`, raw blocks kept for pass two), then every
// string attribute of the parsed graph with the winning goal. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.hpp"

namespace fabro::model {

struct template_vars {
  // Value of `{{ goal }}`; nothing makes `goal` undefined.
  std::optional<std::string> goal;
  // `{{ inputs.NAME }}` values ([run.inputs], scalars as text).
  std::map<std::string, std::string> inputs;
  // Pass one: `{{ goal }}` stays literally and `{% raw %}` blocks are copied
  // with their tags, so pass two still sees and resolves them.
  bool keep_goal_and_raw = false;
};

// Whether `text` contains `{{`, `{%` or `{#` (anything to render).
bool has_template_syntax(std::string_view text);

// `text` rendered with `vars`. Fails with errc::validation_failed carrying
// one diagnostic of rule "template" whose line/column point into `text`,
// e.g. "undefined value 'inputs.branch' in template".
result<std::string> render_template(std::string_view text, const template_vars& vars);

}  // namespace fabro::model
