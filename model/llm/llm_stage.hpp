// What a real prompt stage decides around its one model call (issue 17):
// which provider and model carry it out (Fabro's layers), and what the
// answer makes of the stage (context, notes, a JSON directive's routing).
// Pure.
#pragma once

#include <cstdint>
#include <string>

#include "model/engine/stage_outcome.hpp"
#include "model/llm/llm_wire.hpp"
#include "model/run_definition.hpp"
#include "model/workflow/graph.hpp"

namespace fabro::model::llm {

struct llm_choice {
  std::string provider;          // "" when no layer names one and the model implies none
  std::string model;             // "" when no layer names one
  std::string reasoning_effort;  // default "high"
  int64_t max_tokens = 4096;
};

// The node's `provider`/`model`/`reasoning_effort` when set, else the
// graph's model_stylesheet rules that match it (the most specific wins; a
// later rule wins a tie), else the run's settings (run.model.provider /
// name, which the manifest's args.provider / args.model fill), else the
// graph's default_provider / default_model, else `d`. A provider left
// unnamed is inferred from the model: "claude…" anthropic; "gpt…", "o1…",
// "o3…", "o4…" openai.
llm_choice choose_llm(const workflow_graph& g, const graph_node& node, const run_settings& s,
                      const llm_defaults& d);

// The provider a model id implies; "" when none.
std::string infer_provider(const std::string& model);

// The outcome of a stage whose model answered `text` (engine reference
// §3.2, §3.5): succeeded; context last_stage = node id, last_response = the
// first 200 characters, response.<node id> = the text; notes = the text. A
// JSON directive (the last balanced {…} in the text holding `outcome`,
// `preferred_next_label`, `suggested_next_ids` or `context_updates`) sets
// the status (outcome "fail"/"failure"/"failed" fails with its
// `failure_reason`; "partial_success" partially succeeds), the preferred
// label, the next ids and context updates (values as text).
stage_outcome prompt_outcome(const std::string& node_id, const std::string& text);

}  // namespace fabro::model::llm
