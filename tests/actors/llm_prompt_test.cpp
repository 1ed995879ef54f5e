// Real prompt stages (issue 17) against a stand-in provider on loopback:
// what the provider receives (model, the rendered prompt, the key's header),
// what the run records (the answer in the context and an artifact, its
// routing, progress, usage), retries after 429 with Retry-After, refusals
// that fail the stage (auth, context length), cancel during a streamed
// answer, and the precondition when no provider is configured.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <thread>

#include "actors/run.hpp"
#include "tests/actors/execution_harness.hpp"
#include "tests/support/stand_in_llm.hpp"

using namespace fabro;
using namespace fabro::testing;

namespace {

constexpr const char* kKey = "sk-test-0123456789secret";

// A harness whose providers are the stand-in: `protocols` of it.
struct llm_harness : exec_harness {
  llm_harness(stand_in_llm& provider, bool anthropic = false, bool simulate = false)
      : exec_harness(true, {}, {}, {}, [&provider, anthropic, simulate](actors::orchestrator_config& c) {
          model::llm::endpoint e;
          e.kind = anthropic ? model::llm::protocol::anthropic : model::llm::protocol::openai;
          e.base_url = provider.base_url() + (anthropic ? "" : "/v1");
          e.api_key = kKey;
          e.key_source = anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
          c.llm_providers[anthropic ? "anthropic" : "openai"] = e;
          c.simulate_llm = simulate;
        }) {}
};

// classify decides ship or hold through a JSON directive in its answer.
const char* kClassify = R"(digraph C { goal="Release 1.2"
  start [shape=Mdiamond] exit [shape=Msquare]
  classify [shape=tab, prompt="Should we ship {{ goal }}? Answer with a directive.", model="gpt-test"]
  ship [shape=parallelogram, script="touch shipped"]
  hold [shape=parallelogram, script="touch held"]
  start -> classify
  classify -> ship [condition="context.verdict=ship"]
  classify -> hold
  ship -> exit  hold -> exit })";

std::string one_prompt(const std::string& attrs) {
  return "digraph P { start [shape=Mdiamond] exit [shape=Msquare]\n"
         "  ask [shape=tab, prompt=\"Say hello\"" + attrs + "]\n  start -> ask -> exit }";
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string envelope_of(exec_harness& h, const std::string& id, const std::string& event,
                        const std::string& node) {
  for (const auto& e : h.envelopes(id))
    if (e.find("\"event\":\"" + event + "\"") != std::string::npos &&
        e.find("\"node_id\":\"" + node + "\"") != std::string::npos)
      return e;
  return "";
}

bool no_key_anywhere(exec_harness& h, const std::string& id) {
  for (const auto& e : h.envelopes(id))
    if (e.find(kKey) != std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("a prompt stage asks the OpenAI-compatible provider and its answer routes the run",
          "[actors][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::openai_stream(
      {"Looks good. ", "{\"context_updates\":", "{\"verdict\":\"ship\"}}"}, 42, 17)});
  temp_dir dir;
  llm_harness h(provider);
  auto id = h.start(workflow_manifest(kClassify, dir.str()));
  REQUIRE(h.finish(id).status == model::run_status::completed);
  CHECK(std::filesystem::exists(dir.path / "shipped"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "held"));
  // What the provider received.
  auto got = provider.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/v1/chat/completions");
  CHECK(got[0].headers["authorization"] == std::string("Bearer ") + kKey);
  simdjson::dom::parser parser;
  auto body = parser.parse(got[0].body);
  CHECK(std::string_view(body["model"]) == "gpt-test");
  CHECK(std::string_view(body["messages"].at(0)["role"]) == "user");
  CHECK(std::string_view(body["messages"].at(0)["content"]) ==
        "Should we ship Release 1.2? Answer with a directive.");
  CHECK(bool(body["stream"]));
  CHECK(std::string_view(body["reasoning_effort"]) == "high");
  // What the run recorded.
  auto events = h.events(id);
  CHECK(has(events, "stage.prompt classify"));
  CHECK(has(events, "stage.progress classify"));
  CHECK(has(events, "prompt.completed classify"));
  CHECK_FALSE(has(events, "run.notice"));  // no agent stage is simulated here
  auto completed = envelope_of(h, id, "stage.completed", "classify");
  CHECK(completed.find("\"input_tokens\":42") != std::string::npos);
  CHECK(completed.find("\"output_tokens\":17") != std::string::npos);
  auto prompt = envelope_of(h, id, "stage.prompt", "classify");
  CHECK(prompt.find("\"provider\":\"openai\",\"model\":\"gpt-test\"") != std::string::npos);
  auto artifacts = h.ask<std::vector<model::stored_artifact>>(actors::artifacts_atom::value, id);
  REQUIRE(artifacts);
  bool found = false;
  for (const auto& a : *artifacts) found |= a.name == "stages/classify@1/attempt-1/response.md";
  CHECK(found);
  CHECK(no_key_anywhere(h, id));
}

TEST_CASE("an Anthropic prompt stage is retried after 429 with Retry-After, then answers",
          "[actors][llm]") {
  stand_in_llm provider;
  provider.script(
      {stand_in_llm::error(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})",
                           {"Retry-After: 1"}),
       stand_in_llm::anthropic_stream({"Hello ", "there"}, 10, 3)});
  temp_dir dir;
  llm_harness h(provider, true);
  auto id = h.start(workflow_manifest(one_prompt(", model=\"claude-test\""), dir.str()));
  REQUIRE(h.finish(id).status == model::run_status::completed);
  auto got = provider.received();
  REQUIRE(got.size() == 2);
  CHECK(got[1].path == "/v1/messages");
  CHECK(got[1].headers["x-api-key"] == kKey);
  CHECK(got[1].headers["anthropic-version"] == "2023-06-01");
  auto retry = envelope_of(h, id, "stage.llm_retry", "ask");
  INFO(retry);
  CHECK(retry.find("\"delay_ms\":1000") != std::string::npos);
  CHECK(retry.find("rate limiting (HTTP 429)") != std::string::npos);
  auto done = envelope_of(h, id, "prompt.completed", "ask");
  CHECK(done.find("\"response\":\"Hello there\"") != std::string::npos);
}

TEST_CASE("a refused key fails the stage at once and names its source, never its value",
          "[actors][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::error(
      401, R"({"error":{"message":"Incorrect API key provided: sk-test-0123456789secret","type":"invalid_request_error"}})")});
  temp_dir dir;
  llm_harness h(provider);
  auto id = h.start(workflow_manifest(one_prompt(", max_retries=2"), dir.str()));
  h.finish(id);  // (a failed stage falls through to the unconditional edge)
  CHECK(provider.received().size() == 1);  // not retried
  auto failed = envelope_of(h, id, "stage.failed", "ask");
  INFO(failed);
  CHECK(failed.find("refused the key from OPENAI_API_KEY (HTTP 401)") != std::string::npos);
  CHECK(no_key_anywhere(h, id));
}

TEST_CASE("a context-length refusal fails the stage as budget_exhausted", "[actors][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::error(
      400, R"({"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}})")});
  temp_dir dir;
  llm_harness h(provider);
  auto id = h.start(workflow_manifest(one_prompt(""), dir.str()));
  h.finish(id);
  auto failed = envelope_of(h, id, "stage.failed", "ask");
  INFO(failed);
  CHECK(failed.find("context length exceeded") != std::string::npos);
  CHECK(failed.find("budget_exhausted") != std::string::npos);
}

TEST_CASE("cancel during a streamed answer aborts the request and ends the run cancelled",
          "[actors][llm]") {
  stand_in_llm provider;
  auto endless = stand_in_llm::openai_stream({"Thinking"}, 1, 1);
  endless.pieces.resize(1);  // the first delta, then nothing more
  endless.hold = true;
  provider.script({endless});
  temp_dir dir;
  llm_harness h(provider);
  auto id = h.start(workflow_manifest(one_prompt(""), dir.str()));
  REQUIRE(h.eventually([&] { return has(h.events(id), "stage.progress ask"); }));
  REQUIRE(h.control(model::control_action::cancel, id));
  CHECK(h.finish(id).status == model::run_status::cancelled);
  CHECK(h.eventually([&] { return provider.client_went_away(); }));
}

TEST_CASE("with no provider, LLM stages fail the run's precondition unless simulated",
          "[actors][llm]") {
  temp_dir dir;
  {
    exec_harness h;
    auto id = h.start(workflow_manifest(one_prompt(""), dir.str()));
    auto run = h.finish(id);
    CHECK(run.status == model::run_status::failed);
    CHECK(run.reason == model::status_reason::workflow_error);
    CHECK(run.error_message == actors::kNoLlmProviders);
    // A run without LLM stages is not concerned.
    auto other = h.start(workflow_manifest(
        "digraph w { start [shape=Mdiamond] exit [shape=Msquare] start -> exit }", dir.str()));
    CHECK(h.finish(other).status == model::run_status::completed);
  }
  {
    exec_harness h(true, {}, {}, {}, [](actors::orchestrator_config& c) { c.simulate_llm = true; });
    auto id = h.start(workflow_manifest(one_prompt(""), dir.str()));
    CHECK(h.finish(id).status == model::run_status::completed);
    CHECK(has(h.events(id), "run.notice"));
  }
}

TEST_CASE("pause holds a prompt stage's next request until unpause", "[actors][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::error(503, R"({"error":{"message":"busy"}})", {"Retry-After: 1"}),
                   stand_in_llm::openai_stream({"ok"}, 1, 1)});
  temp_dir dir;
  llm_harness h(provider);
  auto id = h.start(workflow_manifest(one_prompt(""), dir.str()));
  REQUIRE(h.eventually([&] { return has(h.events(id), "stage.llm_retry ask"); }));
  REQUIRE(h.control(model::control_action::pause, id));
  REQUIRE(h.eventually([&] { return h.get(id).status == model::run_status::paused; }));
  // Past the Retry-After second: nothing more is sent while paused (no
  // event marks "not sent", so this waits the retry out).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(provider.received().size() == 1);
  REQUIRE(h.control(model::control_action::unpause, id));
  CHECK(h.finish(id).status == model::run_status::completed);
  CHECK(provider.received().size() == 2);
}
