#include "model/engine/human_gate.hpp"

#include <cctype>

#include "model/json_writer.hpp"
#include "model/workflow/edge_selection.hpp"

namespace fabro::model {
namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

std::string accelerator_key(std::string_view label) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (label.size() >= 3 && label[0] == '[') {
    auto close = label.find(']');
    if (close != std::string_view::npos && close >= 2 && close <= 4) {
      auto k = label.substr(1, close - 1);
      bool ok = true;
      for (char c : k) ok = ok && alnum(c);
      if (ok) return std::string(k);
    }
  }
  size_t n = 0;
  while (n < label.size() && n < 4 && alnum(label[n])) ++n;
  if (n >= 1 && n <= 3) {
    auto rest = label.substr(n);
    if (rest.rfind(") ", 0) == 0 || rest.rfind(" - ", 0) == 0) return std::string(label.substr(0, n));
  }
  return label.empty() ? std::string() : std::string(label.substr(0, 1));
}

std::vector<gate_choice> gate_choices(const workflow_graph& g, const graph_node& node) {
  std::vector<gate_choice> out;
  for (auto i : g.outgoing(node.id)) {
    const auto& e = g.edges()[i];
    auto label = e.label().value_or(e.to);
    auto key = e.freeform() ? std::string() : accelerator_key(label);
    out.push_back({std::move(key), std::move(label), e.to, e.freeform()});
  }
  return out;
}

human_question question_of(const std::vector<gate_choice>& choices) {
  human_question q;
  for (const auto& c : choices) {
    if (c.freeform)
      q.allow_freeform = true;
    else
      q.options.push_back({c.key, c.label});
  }
  return q;
}

human_question question_of(const workflow_graph& g, const graph_node& node) {
  return question_of(gate_choices(g, node));
}

result<gate_answer> resolve_answer(const std::vector<gate_choice>& choices,
                                   const human_answer& answer) {
  int64_t freeform = -1, first = -1;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].freeform && freeform < 0) freeform = static_cast<int64_t>(i);
    if (!choices[i].freeform && first < 0) first = static_cast<int64_t>(i);
  }
  auto invalid = [](const char* what) { return make_problem(errc::invalid_request, what); };
  auto pick = [&](size_t i) { return gate_answer{static_cast<int64_t>(i), ""}; };
  switch (answer.how) {
    case human_answer::kind::key:
      for (size_t i = 0; i < choices.size(); ++i)
        if (!choices[i].freeform && choices[i].key == answer.text) return pick(i);
      return invalid(kInvalidOptionKey);
    case human_answer::kind::keys:
      for (const auto& k : answer.keys) {
        bool known = false;
        for (const auto& c : choices) known = known || (!c.freeform && c.key == k);
        if (!known) return invalid(kInvalidOptionKey);
      }
      return invalid(kAnswerTypeMismatch);  // this gate asks multiple_choice or freeform
    case human_answer::kind::value: {
      if (blank(answer.text) || (first >= 0 && freeform < 0)) return invalid(kAnswerTypeMismatch);
      for (size_t i = 0; i < choices.size(); ++i)
        if (!choices[i].freeform &&
            (iequals(choices[i].key, answer.text) || iequals(choices[i].label, answer.text)))
          return pick(i);
      if (freeform >= 0) return gate_answer{freeform, answer.text};
      return pick(static_cast<size_t>(first));
    }
    case human_answer::kind::legacy_text: {
      auto want = normalize_label(answer.text);
      for (size_t i = 0; i < choices.size(); ++i)
        if (!choices[i].freeform &&
            (normalize_label(choices[i].label) == want || choices[i].target == answer.text))
          return pick(i);
      if (freeform >= 0) return gate_answer{freeform, answer.text};
      return make_problem(errc::invalid_request, "Answer '" + answer.text +
                                                     "' matches none of the question's options.");
    }
  }
  return invalid(kAnswerRequired);
}

stage_outcome gate_outcome(const std::vector<gate_choice>& choices, const gate_answer& answer) {
  if (answer.choice < 0 || static_cast<size_t>(answer.choice) >= choices.size())
    return failed_outcome("The answer selects none of the gate's choices");
  const auto& c = choices[static_cast<size_t>(answer.choice)];
  auto o = succeeded_outcome();
  o.preferred_label = c.label;
  o.suggested_next_ids = {c.target};
  o.context_updates["human.gate.selected"] = c.freeform ? "freeform" : c.key;
  o.context_updates["human.gate.label"] = c.label;
  if (c.freeform) o.context_updates["human.gate.text"] = answer.text;
  return o;
}

result<stage_outcome> answer_outcome(const workflow_graph& g, const graph_node& node,
                                     const human_answer& answer) {
  auto choices = gate_choices(g, node);
  auto chosen = resolve_answer(choices, answer);
  if (!chosen) return chosen.error();
  return gate_outcome(choices, *chosen);
}

std::string api_question_json(const std::string& id, const graph_node& node,
                              const human_question& q) {
  json_writer w;
  w.begin_object().field("id", id).field("text", node.label()).field("stage", node.id)
      .field("question_type", q.type()).key("options").begin_array();
  for (const auto& o : q.options)
    w.begin_object().field("key", o.key).field("label", o.label).end_object();
  w.end_array().key("allow_freeform").value(q.allow_freeform);
  w.key("timeout_seconds").raw("null").key("context_display").raw("null").end_object();
  return w.take();
}

std::string answer_text(const human_answer& answer) {
  if (answer.how != human_answer::kind::keys) return answer.text;
  std::string out;
  for (const auto& k : answer.keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace fabro::model
