#include "model/llm/llm_stage.hpp"

#include <simdjson.h>

#include "model/workflow/attr_value.hpp"
#include "model/workflow/stylesheet.hpp"

namespace fabro::model::llm {

namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

bool matches(const stylesheet_rule& r, const graph_node& n) {
  const auto& sel = r.selector;
  if (sel == "*") return true;
  if (sel[0] == '#') return sel.substr(1) == n.id;
  if (sel[0] == '.') {
    for (const auto& c : n.classes)
      if (c == sel.substr(1)) return true;
    return false;
  }
  return sel == n.shape();
}

// `prop` from the most specific matching rule ("" = none).
std::string from_sheet(const std::vector<stylesheet_rule>& rules, const graph_node& n,
                       const char* prop) {
  std::string out;
  int best = -1;
  for (const auto& r : rules) {
    if (!matches(r, n) || r.specificity < best) continue;
    for (const auto& [k, v] : r.properties)
      if (k == prop) {
        out = v;
        best = r.specificity;
      }
  }
  return out;
}

std::string first_of(std::initializer_list<std::string> xs) {
  for (const auto& x : xs)
    if (!x.empty()) return x;
  return "";
}

// Values as context text: strings as they are, anything else as JSON.
std::string as_text(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(v);
}

bool is_directive(simdjson::dom::object o) {
  for (const char* k : {"outcome", "preferred_next_label", "suggested_next_ids", "context_updates"})
    if (o[k].error() == simdjson::SUCCESS) return true;
  return false;
}

}  // namespace

std::string infer_provider(const std::string& model) {
  if (starts_with(model, "claude")) return "anthropic";
  if (starts_with(model, "gpt") || starts_with(model, "o1") || starts_with(model, "o3") ||
      starts_with(model, "o4") || starts_with(model, "chatgpt"))
    return "openai";
  return "";
}

llm_choice choose_llm(const workflow_graph& g, const graph_node& node, const run_settings& s,
                      const llm_defaults& d) {
  auto sheet = parse_stylesheet(g.model_stylesheet());
  std::vector<stylesheet_rule> rules = sheet ? std::move(*sheet) : std::vector<stylesheet_rule>{};
  auto attr = [&](const char* k) { return get_string(node.attrs, k).value_or(""); };
  llm_choice c;
  c.model = first_of({attr("model"), from_sheet(rules, node, "model"), s.model,
                      get_string(g.attrs, "default_model").value_or(""), d.model});
  c.provider = first_of({attr("provider"), from_sheet(rules, node, "provider"), s.provider,
                         get_string(g.attrs, "default_provider").value_or(""), d.provider});
  if (c.provider.empty()) c.provider = infer_provider(c.model);
  c.reasoning_effort =
      first_of({attr("reasoning_effort"), from_sheet(rules, node, "reasoning_effort"), "high"});
  if (auto m = get_int(node.attrs, "max_tokens"); m && *m > 0) c.max_tokens = *m;
  return c;
}

stage_outcome prompt_outcome(const std::string& node_id, const std::string& text) {
  auto o = succeeded_outcome(text);
  o.context_updates["last_stage"] = node_id;
  o.context_updates["last_response"] = text.substr(0, 200);
  o.context_updates["response." + node_id] = text;
  // The last balanced {…} that is a directive.
  simdjson::dom::parser parser;
  for (size_t end = text.rfind('}'); end != std::string::npos;
       end = end == 0 ? std::string::npos : text.rfind('}', end - 1)) {
    int depth = 0;
    size_t begin = std::string::npos;
    for (size_t i = end + 1; i-- > 0;) {
      if (text[i] == '}') ++depth;
      if (text[i] == '{' && --depth == 0) {
        begin = i;
        break;
      }
    }
    if (begin == std::string::npos) continue;
    simdjson::dom::object obj;
    if (parser.parse(text.data() + begin, end - begin + 1).get(obj) != simdjson::SUCCESS ||
        !is_directive(obj))
      continue;
    std::string_view s;
    if (obj["outcome"].get(s) == simdjson::SUCCESS) {
      if (s == "fail" || s == "failure" || s == "failed") {
        std::string_view why;
        auto reason = obj["failure_reason"].get(why) == simdjson::SUCCESS
                          ? std::string(why)
                          : std::string("The model reported failure");
        auto failed = failed_outcome(reason);
        failed.context_updates = o.context_updates;
        failed.notes = o.notes;
        o = std::move(failed);
      } else if (s == "partial_success" || s == "partially_succeeded") {
        o.status = stage_status::partially_succeeded;
      }
    }
    if (obj["preferred_next_label"].get(s) == simdjson::SUCCESS) o.preferred_label = std::string(s);
    simdjson::dom::array ids;
    if (obj["suggested_next_ids"].get(ids) == simdjson::SUCCESS)
      for (auto id : ids)
        if (id.get(s) == simdjson::SUCCESS) o.suggested_next_ids.emplace_back(s);
    simdjson::dom::object updates;
    if (obj["context_updates"].get(updates) == simdjson::SUCCESS)
      for (auto [k, v] : updates) o.context_updates[std::string(k)] = as_text(v);
    break;
  }
  return o;
}

}  // namespace fabro::model::llm
