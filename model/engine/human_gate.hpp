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

// One outgoing edge of a gate, as a choice: its option (non-freeform edges)
// or the freeform edge that takes typed text.
struct gate_choice {
  std::string key;     // the option's accelerator key ("" for the freeform edge)
  std::string label;   // the edge label, or the target node id
  std::string target;  // the node the edge leads to
  bool freeform = false;
};

// The choices of gate `node`: its outgoing edges in file order.
std::vector<gate_choice> gate_choices(const workflow_graph& g, const graph_node& node);

// The question the choices ask: an option per non-freeform choice, in order;
// freeform when one of them is (the first freeform edge takes the text).
human_question question_of(const std::vector<gate_choice>& choices);
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

// The same decision in two halves: which choice `answer` selects (an index
// into `choices`, and the typed text for a freeform choice; the same 400
// errors), then the outcome of that choice (succeeded, preferred_label =
// its label, suggested_next_ids = [its target], human.gate.selected /
// .label / .text in the context). A gate_answer whose index is out of range
// fails the stage (fail closed).
struct gate_answer {
  int64_t choice = 0;  // index into the gate's choices
  std::string text;    // the typed text, for a freeform choice
};
result<gate_answer> resolve_answer(const std::vector<gate_choice>& choices,
                                   const human_answer& answer);
stage_outcome gate_outcome(const std::vector<gate_choice>& choices, const gate_answer& answer);

// interview.completed's `answer`: the text, the key, or the keys joined by ", ".
std::string answer_text(const human_answer& answer);

}  // namespace fabro::model
