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

stage_outcome choose(const graph_edge& e, const std::string& key, std::string text) {
  auto label = e.label().value_or(e.to);
  auto o = succeeded_outcome();
  o.preferred_label = label;
  o.suggested_next_ids = {e.to};
  o.context_updates["human.gate.selected"] = e.freeform() ? "freeform" : key;
  o.context_updates["human.gate.label"] = label;
  if (e.freeform()) o.context_updates["human.gate.text"] = std::move(text);
  return o;
}

struct choice {
  const graph_edge* edge;
  question_option option;
};

std::vector<choice> choices_of(const workflow_graph& g, const graph_node& node,
                               const graph_edge** freeform) {
  std::vector<choice> out;
  *freeform = nullptr;
  for (auto i : g.outgoing(node.id)) {
    const auto& e = g.edges()[i];
    if (e.freeform()) {
      if (!*freeform) *freeform = &e;
      continue;
    }
    auto label = e.label().value_or(e.to);
    out.push_back({&e, {accelerator_key(label), label}});
  }
  return out;
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

human_question question_of(const workflow_graph& g, const graph_node& node) {
  const graph_edge* freeform = nullptr;
  human_question q;
  for (auto& c : choices_of(g, node, &freeform)) q.options.push_back(std::move(c.option));
  q.allow_freeform = freeform != nullptr;
  return q;
}

result<stage_outcome> answer_outcome(const workflow_graph& g, const graph_node& node,
                                     const human_answer& answer) {
  const graph_edge* freeform = nullptr;
  auto choices = choices_of(g, node, &freeform);
  auto invalid = [](const char* what) { return make_problem(errc::invalid_request, what); };
  switch (answer.how) {
    case human_answer::kind::key:
      for (const auto& c : choices)
        if (c.option.key == answer.text) return choose(*c.edge, c.option.key, "");
      return invalid(kInvalidOptionKey);
    case human_answer::kind::keys:
      for (const auto& k : answer.keys) {
        bool known = false;
        for (const auto& c : choices) known = known || c.option.key == k;
        if (!known) return invalid(kInvalidOptionKey);
      }
      return invalid(kAnswerTypeMismatch);  // this gate asks multiple_choice or freeform
    case human_answer::kind::value: {
      if (blank(answer.text) || (!choices.empty() && !freeform))
        return invalid(kAnswerTypeMismatch);
      for (const auto& c : choices)
        if (iequals(c.option.key, answer.text) || iequals(c.option.label, answer.text))
          return choose(*c.edge, c.option.key, "");
      if (freeform) return choose(*freeform, "", answer.text);
      return choose(*choices.front().edge, choices.front().option.key, "");
    }
    case human_answer::kind::legacy_text: {
      auto want = normalize_label(answer.text);
      for (const auto& c : choices)
        if (normalize_label(c.option.label) == want || c.edge->to == answer.text)
          return choose(*c.edge, c.option.key, "");
      if (freeform) return choose(*freeform, "", answer.text);
      return make_problem(errc::invalid_request, "Answer '" + answer.text +
                                                     "' matches none of the question's options.");
    }
  }
  return invalid(kAnswerRequired);
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
