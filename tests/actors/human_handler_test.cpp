// Human stages through the stage-handler seam (issue 16 item 3): the gate's
// choices reach any handler, an embedder's human handler may decide without
// asking anyone, a handler may ask the run's users through the run (the
// question, its answer and the routing as Fabro's API has them), a question
// whose stage ends first is interrupted, and cancel ends a run that asks.
#include <catch2/catch.hpp>

#include <mutex>

#include <caf/typed_event_based_actor.hpp>

#include "actors/stage_handler.hpp"
#include "tests/actors/execution_harness.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace fabro::testing;

namespace {

// What a test handler was asked, and whether its question was refused.
struct probe {
  std::mutex m;
  std::vector<stage_call> calls;
  bool refused = false;

  void add(const stage_call& c) {
    std::lock_guard<std::mutex> g(m);
    calls.push_back(c);
  }
  stage_call call(size_t i) {
    std::lock_guard<std::mutex> g(m);
    return calls.at(i);
  }
  size_t count() {
    std::lock_guard<std::mutex> g(m);
    return calls.size();
  }
};

// Decides every gate itself: the last choice, no question asked.
stage_handler_actor::behavior_type deciding(stage_handler_actor::pointer,
                                            std::shared_ptr<probe> p) {
  return {
      [=](stage_atom, const stage_call& call) {
        p->add(call);
        model::gate_answer last{static_cast<int64_t>(call.choices.size()) - 1, ""};
        return to_reply(model::gate_outcome(call.choices, last));
      },
      [](stage_control_atom, const std::string&, const std::string&, model::control_action) {},
  };
}

// Asks the run's users at node "review" and routes on the answer (never
// answering when the question is refused); other stages succeed at once.
stage_handler_actor::behavior_type asking(stage_handler_actor::pointer self,
                                          std::shared_ptr<probe> p) {
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        p->add(call);
        if (call.node_id != "review") return stage_reply{};
        auto promise = self->make_response_promise<stage_reply>();
        self->request(call.interviewer, caf::infinite, stage_question_atom::value, call.stage_id)
            .then(
                [=, choices = call.choices](model::gate_answer& a) mutable {
                  promise.deliver(to_reply(model::gate_outcome(choices, a)));
                },
                [=](caf::error&) {
                  std::lock_guard<std::mutex> g(p->m);
                  p->refused = true;
                });
        return promise;
      },
      [](stage_control_atom, const std::string&, const std::string&, model::control_action) {},
  };
}

template <class Behavior>
auto handler_as(const std::string& type, std::shared_ptr<probe> p, Behavior b) {
  return [=](caf::actor_system& sys) {
    stage_handlers h;
    h[type] = sys.spawn(b, p);
    return h;
  };
}

const char* kGate = R"(digraph H { start [shape=Mdiamond] exit [shape=Msquare]
  ask [shape=hexagon, label="Ship it?"]
  ship [shape=parallelogram, script="touch shipped"] hold [shape=parallelogram, script="touch held"]
  start -> ask  ask -> ship [label="[S] Ship"]  ask -> hold [label="Hold"]
  ship -> exit  hold -> exit })";

const char* kReview = R"(digraph R { start [shape=Mdiamond] exit [shape=Msquare]
  review [type="review", label="What should change?"]
  fix [type="review"]
  start -> review
  review -> exit [label="[D] Done"]
  review -> fix [label="Change", freeform=true]
  fix -> exit })";

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

model::result<std::string> questions(exec_harness& h, const std::string& id) {
  return h.ask<std::string>(questions_atom::value, id);
}

}  // namespace

TEST_CASE("an embedder's human handler gets the gate's choices and decides without asking",
          "[actors][stage_handler][human]") {
  auto p = std::make_shared<probe>();
  temp_dir dir;
  exec_harness h(true, {}, {}, handler_as("human", p, deciding));
  auto id = h.start(workflow_manifest(kGate, dir.str()));
  CHECK(h.finish(id).status == model::run_status::completed);
  CHECK(std::filesystem::exists(dir.path / "held"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "shipped"));
  REQUIRE(p->count() == 1);
  auto call = p->call(0);
  CHECK(call.handler_type == "human");
  REQUIRE(call.choices.size() == 2);
  CHECK(call.choices[0].key == "S");
  CHECK(call.choices[0].label == "[S] Ship");
  CHECK(call.choices[0].target == "ship");
  CHECK(call.choices[1].key == "H");
  CHECK(call.choices[1].target == "hold");
  CHECK_FALSE(call.choices[1].freeform);
  auto events = h.events(id);
  CHECK_FALSE(has(events, "interview.started ask"));
  CHECK_FALSE(has(events, "run.blocked ask"));
}

TEST_CASE("a handler asks the run's users, and the answer routes the gate",
          "[actors][stage_handler][human]") {
  auto p = std::make_shared<probe>();
  temp_dir dir;
  exec_harness h(true, {}, {}, handler_as("review", p, asking));
  auto id = h.start(workflow_manifest(kReview, dir.str()));
  REQUIRE(h.eventually([&] { return has(h.events(id), "interview.started review"); }));
  auto open = questions(h, id);
  REQUIRE(open);
  CHECK(*open ==
        R"([{"id":"review-1","text":"What should change?","stage":"review",)"
        R"("question_type":"multiple_choice","options":[{"key":"D","label":"[D] Done"}],)"
        R"("allow_freeform":true,"timeout_seconds":null,"context_display":null}])");
  using kind = model::human_answer::kind;
  auto bad = h.ask<model::run_record>(answer_atom::value, id, std::string("review-1"),
                                      model::human_answer{kind::key, "X", {}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail == "Invalid option key.");
  auto ok = h.ask<model::run_record>(answer_atom::value, id, std::string("review-1"),
                                     model::human_answer{kind::value, "rename the flag", {}});
  REQUIRE(ok);
  CHECK(h.finish(id).status == model::run_status::completed);
  auto after = questions(h, id);
  CHECK((!after || *after == "[]"));
  // The freeform edge took the text, and the next stage sees it.
  REQUIRE(p->count() == 2);
  auto fix = p->call(1);
  CHECK(fix.node_id == "fix");
  CHECK(fix.context.at("human.gate.text") == "rename the flag");
  CHECK(fix.context.at("human.gate.selected") == "freeform");
  auto events = h.events(id);
  auto started = std::find(events.begin(), events.end(), "interview.started review");
  auto completed = std::find(events.begin(), events.end(), "interview.completed review");
  auto stage_done = std::find(events.begin(), events.end(), "stage.completed review");
  CHECK(started < completed);
  CHECK(completed < stage_done);
  CHECK(stage_done != events.end());
}

TEST_CASE("a question whose stage times out is interrupted and can no longer be answered",
          "[actors][stage_handler][human]") {
  auto p = std::make_shared<probe>();
  temp_dir dir;
  exec_harness h(true, {}, {}, handler_as("review", p, asking));
  auto source = std::string(kReview);
  source.replace(source.find("label=\"What"), 0, "timeout=\"300ms\", ");
  auto id = h.start(workflow_manifest(source, dir.str()));
  REQUIRE(h.eventually([&] { return has(h.events(id), "interview.started review"); }));
  h.finish(id);
  auto events = h.events(id);
  CHECK(has(events, "interview.interrupted review"));
  CHECK_FALSE(has(events, "interview.completed review"));
  CHECK(h.eventually([&] {
    std::lock_guard<std::mutex> g(p->m);
    return p->refused;
  }));
  auto late = h.ask<model::run_record>(answer_atom::value, id, std::string("review-1"),
                                       model::human_answer{model::human_answer::kind::key, "D", {}});
  REQUIRE_FALSE(late);
  CHECK(late.error().code == model::errc::conflict);
}

TEST_CASE("cancel ends a run whose human gate is asking, with no answer and no interruption",
          "[actors][stage_handler][human]") {
  temp_dir dir;
  exec_harness h;
  auto id = h.start(workflow_manifest(kGate, dir.str()));
  REQUIRE(h.eventually([&] { return has(h.events(id), "interview.started ask"); }));
  REQUIRE(h.control(model::control_action::cancel, id));
  CHECK(h.finish(id).status == model::run_status::cancelled);
  auto events = h.events(id);
  CHECK_FALSE(has(events, "interview.interrupted ask"));
  CHECK_FALSE(has(events, "stage.started hold"));
  auto open = questions(h, id);
  CHECK((!open || *open == "[]"));
}
