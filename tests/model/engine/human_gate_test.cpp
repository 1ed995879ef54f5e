#include "model/engine/human_gate.hpp"

#include <catch2/catch.hpp>

#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;
using kind = human_answer::kind;

namespace {

workflow_graph gate(const std::string& edges) {
  auto g = load_workflow("digraph G { start [shape=Mdiamond] exit [shape=Msquare] "
                         "ask [shape=hexagon, label=\"Ship?\"] a [shape=box] b [shape=box] "
                         "c [shape=box] start -> ask " + edges + " a -> exit b -> exit c -> exit }");
  REQUIRE(g);
  return std::move(*g);
}

}  // namespace

TEST_CASE("option keys are Fabro's accelerators", "[model][engine]") {
  CHECK(accelerator_key("[Y] Yes") == "Y");
  CHECK(accelerator_key("[ABC] Long") == "ABC");
  CHECK(accelerator_key("N) No") == "N");
  CHECK(accelerator_key("2 - Second") == "2");
  CHECK(accelerator_key("Hold") == "H");
  CHECK(accelerator_key("[toolong] x") == "[");
  CHECK(accelerator_key("") == "");
}

TEST_CASE("a gate's question: options in file order, freeform edges allow text", "[model][engine]") {
  auto g = gate("ask -> a [label=\"[Y] Yes\"] ask -> c [label=\"Other\", freeform=true] "
                "ask -> b [label=\"No\"]");
  auto q = question_of(g, *g.find_node("ask"));
  REQUIRE(q.options.size() == 2);
  CHECK((q.options[0].key == "Y" && q.options[0].label == "[Y] Yes"));
  CHECK((q.options[1].key == "N" && q.options[1].label == "No"));
  CHECK(q.allow_freeform);
  CHECK(std::string(q.type()) == "multiple_choice");
  auto only_free = gate("ask -> c [label=\"Tell me\", freeform=true]");
  auto f = question_of(only_free, *only_free.find_node("ask"));
  CHECK(f.options.empty());
  CHECK(std::string(f.type()) == "freeform");
}

TEST_CASE("answers follow Fabro's submit_answer rules", "[model][engine]") {
  auto g = gate("ask -> a [label=\"[Y] Yes\"] ask -> b [label=\"No\"]");
  const auto& ask = *g.find_node("ask");
  auto by_key = answer_outcome(g, ask, {kind::key, "N", {}});
  REQUIRE(by_key);
  CHECK(by_key->suggested_next_ids == std::vector<std::string>{"b"});
  CHECK(by_key->context_updates["human.gate.selected"] == "N");
  CHECK(answer_outcome(g, ask, {kind::key, "Z", {}}).error().detail == kInvalidOptionKey);
  CHECK(answer_outcome(g, ask, {kind::keys, "", {"Y", "Z"}}).error().detail == kInvalidOptionKey);
  CHECK(answer_outcome(g, ask, {kind::keys, "", {"Y", "N"}}).error().detail ==
        kAnswerTypeMismatch);
  // Text to a multiple_choice question without a freeform edge is refused.
  CHECK(answer_outcome(g, ask, {kind::value, "No", {}}).error().detail == kAnswerTypeMismatch);

  auto free = gate("ask -> a [label=\"[Y] Yes\"] ask -> c [label=\"Other\", freeform=true]");
  const auto& fask = *free.find_node("ask");
  auto yes = answer_outcome(free, fask, {kind::value, "y", {}});  // a key, case ignored
  REQUIRE(yes);
  CHECK(yes->suggested_next_ids == std::vector<std::string>{"a"});
  auto label = answer_outcome(free, fask, {kind::value, "[y] YES", {}});
  REQUIRE(label);
  CHECK(label->suggested_next_ids == std::vector<std::string>{"a"});
  auto text = answer_outcome(free, fask, {kind::value, "ship on Friday", {}});
  REQUIRE(text);
  CHECK(text->suggested_next_ids == std::vector<std::string>{"c"});
  CHECK(text->context_updates["human.gate.selected"] == "freeform");
  CHECK(text->context_updates["human.gate.text"] == "ship on Friday");
  CHECK(answer_outcome(free, fask, {kind::value, "  ", {}}).error().detail ==
        kAnswerTypeMismatch);
  CHECK(answer_text({kind::keys, "", {"A", "B"}}) == "A, B");
  CHECK(answer_text({kind::key, "N", {}}) == "N");
}

TEST_CASE("a gate's choices carry their targets, an answer resolves to one, its outcome routes",
          "[model][engine]") {
  auto g = gate("ask -> a [label=\"[Y] Yes\"] ask -> c [label=\"Other\", freeform=true] "
                "ask -> b [label=\"No\"]");
  auto choices = gate_choices(g, *g.find_node("ask"));
  REQUIRE(choices.size() == 3);
  CHECK((choices[1].freeform && choices[1].key.empty() && choices[1].target == "c"));
  CHECK((choices[2].key == "N" && choices[2].target == "b" && !choices[2].freeform));
  auto no = resolve_answer(choices, {kind::key, "N", {}});
  REQUIRE(no);
  CHECK(no->choice == 2);
  auto text = resolve_answer(choices, {kind::value, "ship it on Friday", {}});
  REQUIRE(text);
  CHECK((text->choice == 1 && text->text == "ship it on Friday"));
  auto o = gate_outcome(choices, *text);
  CHECK(o.status == stage_status::succeeded);
  CHECK(o.suggested_next_ids == std::vector<std::string>{"c"});
  CHECK(o.context_updates.at("human.gate.text") == "ship it on Friday");
  // An answer naming no choice fails the gate (closed), whoever sent it.
  CHECK(gate_outcome(choices, {7, ""}).status == stage_status::failed);
  CHECK(gate_outcome({}, {0, ""}).status == stage_status::failed);
}
