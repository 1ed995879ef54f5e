// The stage-handler seam (issue 16 item 3), through the orchestrator as an
// embedder uses it: a custom handler's outcome routes the run, its context
// updates reach the next stage, its events and artifacts are recorded, a
// handler that never answers times the stage out, control reaches it, a
// handler that dies fails the stage and not the server.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/stage_handler.hpp"
#include "tests/actors/execution_harness.hpp"

using namespace fabro;
using namespace fabro::actors;
using namespace fabro::testing;

namespace {

enum class mode { answer, hold, die };

// What the test handler was told, and how it behaves.
struct probe {
  std::mutex m;
  std::vector<stage_call> calls;
  std::vector<std::string> controls;  // "<action> <stage_id>"
  mode how = mode::answer;
  std::function<stage_reply(const stage_call&)> reply = [](const stage_call&) {
    return stage_reply{};
  };

  size_t call_count() {
    std::lock_guard<std::mutex> g(m);
    return calls.size();
  }
  bool controlled(const std::string& what) {
    std::lock_guard<std::mutex> g(m);
    return std::find(controls.begin(), controls.end(), what) != controls.end();
  }
};

struct handler_state {
  std::map<std::string, caf::typed_response_promise<stage_reply>> held;
};

stage_handler_actor::behavior_type test_handler(
    stage_handler_actor::stateful_pointer<handler_state> self, std::shared_ptr<probe> p) {
  return {
      [=](stage_atom, const stage_call& call) -> caf::result<stage_reply> {
        mode how;
        {
          std::lock_guard<std::mutex> g(p->m);
          p->calls.push_back(call);
          how = p->how;
        }
        if (how == mode::die) {
          self->quit();
          return caf::sec::request_receiver_down;
        }
        if (how == mode::hold) {
          auto promise = self->make_response_promise<stage_reply>();
          self->state.held[call.stage_id] = promise;
          return promise;
        }
        return p->reply(call);
      },
      [=](stage_control_atom, const std::string&, const std::string& stage,
          model::control_action action) {
        {
          std::lock_guard<std::mutex> g(p->m);
          p->controls.push_back(std::string(model::to_string(action)) + " " + stage);
        }
        auto it = self->state.held.find(stage);
        if (action == model::control_action::cancel && it != self->state.held.end()) {
          stage_reply r;
          r.status = model::stage_status::failed;
          r.failure_message = "review cancelled";
          it->second.deliver(r);
          self->state.held.erase(it);
        }
      },
  };
}

// A harness whose "review" stages go to the test handler.
struct review_harness : exec_harness {
  explicit review_harness(std::shared_ptr<probe> p)
      : exec_harness(true, {}, {}, [p](caf::actor_system& sys) {
          stage_handlers h;
          h["review"] = sys.spawn(test_handler, p);
          return h;
        }) {}
};

const char* kRouted = R"(digraph w {
  start [shape=Mdiamond]
  exit [shape=Msquare]
  review [type="review", prompt="Review the change", timeout="5s"]
  second [type="review", prompt="Again"]
  ok [shape=parallelogram, script="true"]
  bad [shape=parallelogram, script="true"]
  start -> review
  review -> ok [label="approve"]
  review -> bad [label="reject"]
  ok -> second
  bad -> second
  second -> exit
})";

// The envelope of the `review` stage's stage.failed ("" = none).
std::string review_failure(exec_harness& h, const std::string& id) {
  for (const auto& e : h.envelopes(id))
    if (e.find("\"event\":\"stage.failed\"") != std::string::npos &&
        e.find("\"node_id\":\"review\"") != std::string::npos)
      return e;
  return "";
}

// `start -> review -> exit`, the review node with `attrs` added.
std::string one_review(const std::string& attrs = "") {
  return "digraph w { start [shape=Mdiamond] exit [shape=Msquare]\n"
         "  review [type=\"review\"" + attrs + "]\n  start -> review -> exit }";
}

const char* kNoStages = "digraph w { start [shape=Mdiamond] exit [shape=Msquare] start -> exit }";

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_CASE("a custom handler's outcome routes the run and its context reaches the next stage",
          "[actors][stage_handler]") {
  auto p = std::make_shared<probe>();
  p->reply = [](const stage_call& call) {
    stage_reply r;
    if (call.node_id == "review") {
      r.preferred_label = "reject";
      r.context_updates["review.verdict"] = "needs work";
      r.notes = "reviewed";
      r.events.push_back({"review.finding", R"({"severity":"high"})"});
      r.artifacts.push_back({"report.txt", "two findings"});
      r.usage = {"anthropic", "claude-x", 120, 30, 0};
    }
    // A live event, before the reply.
    caf::anon_send(call.events, stage_event_atom::value, call.stage_id,
                   std::string("stage.progress"), std::string(R"({"text":"reading"})"));
    return r;
  };
  temp_dir dir;
  review_harness h(p);
  auto id = h.start(workflow_manifest(kRouted, dir.str()));
  auto run = h.finish(id);
  REQUIRE(run.status == model::run_status::completed);
  auto events = h.events(id);
  CHECK(has(events, "stage.started bad"));
  CHECK_FALSE(has(events, "stage.started ok"));
  // The handler's events, in order, inside its stage.
  auto progress = std::find(events.begin(), events.end(), "stage.progress review");
  auto finding = std::find(events.begin(), events.end(), "review.finding review");
  auto completed = std::find(events.begin(), events.end(), "stage.completed review");
  CHECK(progress < finding);
  CHECK(finding < completed);
  CHECK(completed != events.end());
  std::string completed_props;
  for (const auto& e : h.envelopes(id))
    if (e.find("\"event\":\"stage.completed\"") != std::string::npos &&
        e.find("\"node_id\":\"review\"") != std::string::npos)
      completed_props = e;
  CHECK(completed_props.find("\"preferred_label\":\"reject\"") != std::string::npos);
  CHECK(completed_props.find("\"input_tokens\":120") != std::string::npos);
  bool started_as_review = false;
  for (const auto& e : h.envelopes(id))
    started_as_review |= e.find("\"event\":\"stage.started\"") != std::string::npos &&
                         e.find("\"handler_type\":\"review\"") != std::string::npos;
  CHECK(started_as_review);
  // What the handler was asked.
  REQUIRE(p->call_count() == 2);
  const auto& first = p->calls[0];
  CHECK(first.run_id == id);
  CHECK(first.handler_type == "review");
  CHECK(first.stage_id == "review@1");
  CHECK(first.prompt == "Review the change");
  CHECK(first.timeout_ms == 5000);
  CHECK(first.attributes.at("type") == "review");
  CHECK(first.work_dir == dir.str());
  CHECK(first.attempt == 1);
  CHECK(first.context.at("current_node") == "review");
  const auto& second = p->calls[1];
  CHECK(second.node_id == "second");
  CHECK(second.context.at("review.verdict") == "needs work");
  // The artifact, under the stage's attempt.
  auto artifacts = h.ask<std::vector<model::stored_artifact>>(artifacts_atom::value, id);
  REQUIRE(artifacts);
  bool found = false;
  for (const auto& a : *artifacts) found |= a.name == "stages/review@1/attempt-1/report.txt";
  CHECK(found);
}

TEST_CASE("a handler that never answers times the stage out and hears a cancel",
          "[actors][stage_handler]") {
  auto p = std::make_shared<probe>();
  p->how = mode::hold;
  temp_dir dir;
  review_harness h(p);
  auto id = h.start(workflow_manifest(one_review(", timeout=\"200ms\""), dir.str()));
  h.finish(id);
  auto failure = review_failure(h, id);
  INFO(failure);
  CHECK(failure.find("Stage timed out after 200ms without an answer from its review handler") !=
        std::string::npos);
  CHECK(h.eventually([&] { return p->controlled("cancel review@1"); }));
}

TEST_CASE("cancel and pause reach the handler, cancel ends the run", "[actors][stage_handler]") {
  auto p = std::make_shared<probe>();
  p->how = mode::hold;
  temp_dir dir;
  review_harness h(p);
  auto id = h.start(workflow_manifest(one_review(), dir.str()));
  REQUIRE(h.eventually([&] { return p->call_count() == 1; }));
  REQUIRE(h.control(model::control_action::pause, id));
  REQUIRE(h.eventually([&] { return p->controlled("pause review@1"); }));
  CHECK(h.eventually([&] { return h.get(id).status == model::run_status::paused; }));
  REQUIRE(h.control(model::control_action::unpause, id));
  REQUIRE(h.eventually([&] { return p->controlled("unpause review@1"); }));
  REQUIRE(h.control(model::control_action::cancel, id));
  auto run = h.finish(id);
  CHECK(run.status == model::run_status::cancelled);
  CHECK(p->controlled("cancel review@1"));
}

TEST_CASE("a handler that dies fails the stage, not the server", "[actors][stage_handler]") {
  auto p = std::make_shared<probe>();
  p->how = mode::die;
  temp_dir dir;
  review_harness h(p);
  auto id = h.start(workflow_manifest(one_review(), dir.str()));
  h.finish(id);
  auto failure = review_failure(h, id);
  INFO(failure);
  CHECK(failure.find("The review stage handler failed") != std::string::npos);
  // The server goes on: a run without review stages completes.
  auto other = h.start(workflow_manifest(kNoStages, dir.str()));
  CHECK(h.finish(other).status == model::run_status::completed);
}

TEST_CASE("two orchestrators in one actor system do not see each other's runs",
          "[actors][stage_handler]") {
  temp_dir dir;
  exec_harness a;
  // A second orchestrator, its own store, in the first one's system.
  actors::orchestrator_config oc{actors::memory_store_factory()};
  auto b = actors::spawn_orchestrator(*a.sys, oc);
  REQUIRE(b);
  auto id = a.start(workflow_manifest(kNoStages, dir.str(), {true}));
  CHECK(a.finish(id).status == model::run_status::completed);
  caf::scoped_actor self{*a.sys};
  bool missing = false;
  self->request(*b, 10s, get_atom::value, id)
      .receive([&](model::run_record&) {}, [&](caf::error& e) {
        missing = actors::to_problem(e).code == model::errc::run_not_found;
      });
  CHECK(missing);
  size_t listed = 99;
  self->request(*b, 10s, list_atom::value, uint64_t{0}, uint64_t{100})
      .receive([&](run_page& page) { listed = page.runs.size(); }, [&](caf::error&) {});
  CHECK(listed == 0);
  caf::anon_send_exit(*b, caf::exit_reason::user_shutdown);
}
