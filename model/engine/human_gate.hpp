// Public: model layer (installed for embedders under include/fabro/).
// A human gate's question and its answer, as Fabro's server and clients
// see them (fabro-events.md §5: the interview.started payload, the
// SubmitAnswerRequest rules and how the gate routes on the answer). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/engine/stage_outcome.hpp"
#include "model/result.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model {

struct question_option {
  std::string key;    // accelerator from the label: "[Y] Yes" / "Y) Yes" / "Y - Yes" → "Y", else its first character
  std::string label;  // the edge label, or the target node id
};

struct human_question {
  std::vector<question_option> options;  // one per non-freeform outgoing edge, in file order
  bool allow_freeform = false;           // an outgoing edge is marked freeform
  // "multiple_choice" with at least one option, else "freeform".
  const char* type() const { return options.empty() ? "freeform" : "multiple_choice"; }
};

human_question question_of(const workflow_graph& g, const graph_node& node);

// Fabro's ApiQuestion for the open question `id` of gate `node`:
// {"id","text" (the node label),"stage" (the node id),"question_type",
// "options":[{"key","label"}],"allow_freeform","timeout_seconds":null,
// "context_display":null}.
std::string api_question_json(const std::string& id, const graph_node& node,
                              const human_question& q);

// The key Fabro takes from an option label.
std::string accelerator_key(std::string_view label);

// An answer as it arrives (SubmitAnswerRequest, first match wins:
// selected_option_key, selected_option_keys, value) or, our extension, a
// plain `answer` text matched against labels and target ids.
struct human_answer {
  enum class kind : uint8_t { key, keys, value, legacy_text };
  kind how = kind::value;
  std::string text;               // key (kind::key), value or legacy text
  std::vector<std::string> keys;  // kind::keys
};

// The 400 texts of Fabro's submit_answer.
inline constexpr const char* kInvalidOptionKey = "Invalid option key.";
inline constexpr const char* kAnswerTypeMismatch = "Answer does not match question type.";
inline constexpr const char* kAnswerRequired =
    "One of value, selected_option_key, or selected_option_keys is required.";

// Where `answer` sends the gate: a selected key to its option's edge; a
// value to the option whose key or label equals it (ASCII case ignored),
// else the freeform edge, else the first option. Fails with
// errc::invalid_request: kInvalidOptionKey (unknown key),
// kAnswerTypeMismatch (several keys; a value to a multiple_choice question
// without allow_freeform; a blank value). A legacy text matches a label or
// target id, else goes to the freeform edge, else fails ("Answer '…'
// matches none of the question's options.").
result<stage_outcome> answer_outcome(const workflow_graph& g, const graph_node& node,
                                     const human_answer& answer);

// interview.completed's `answer`: the text, the key, or the keys joined by ", ".
std::string answer_text(const human_answer& answer);

}  // namespace fabro::model
