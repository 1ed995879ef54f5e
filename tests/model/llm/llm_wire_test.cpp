#include "model/llm/llm_wire.hpp"

#include <catch2/catch.hpp>

#include "model/llm/llm_stage.hpp"
#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;
using namespace fabro::model::llm;

namespace {

endpoint openai_at(const std::string& url) {
  return {protocol::openai, url, "sk-secret", "OPENAI_API_KEY"};
}

const char* kOpenAiStream =
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
    "\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\ndata: [DONE]\n\n";

}  // namespace

TEST_CASE("requests follow each protocol, the key is only in a header", "[model][llm]") {
  request r;
  r.model = "m";
  r.messages = {{"system", "Be brief."}, {"user", "Hi"}};
  r.max_tokens = 100;
  auto o = build_http_request(openai_at("http://h/v1/"), r);
  CHECK(o.url == "http://h/v1/chat/completions");
  CHECK(o.body.find("\"max_tokens\":100") != std::string::npos);
  CHECK(o.body.find("sk-secret") == std::string::npos);
  CHECK(std::find(o.headers.begin(), o.headers.end(), "Authorization: Bearer sk-secret") !=
        o.headers.end());
  r.reasoning_effort = "medium";
  auto a = build_http_request({protocol::anthropic, "http://a", "k", "ANTHROPIC_API_KEY"}, r);
  CHECK(a.url == "http://a/v1/messages");
  CHECK(a.body.find("\"system\":\"Be brief.\"") != std::string::npos);
  CHECK(a.body.find("\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]") != std::string::npos);
  CHECK(a.body.find("\"budget_tokens\":4096") != std::string::npos);
  CHECK(a.body.find("\"max_tokens\":5120") != std::string::npos);
}

TEST_CASE("a streamed answer reads the same whatever the chunking", "[model][llm]") {
  std::string all = kOpenAiStream;
  for (size_t cut : {size_t{1}, size_t{7}, size_t{64}, all.size()}) {
    stream_decoder d(protocol::openai);
    std::string text;
    for (size_t i = 0; i < all.size(); i += cut) text += d.feed(all.substr(i, cut));
    CHECK(text == "Hello");
    CHECK(d.finished());
    CHECK(d.so_far().stop_reason == "stop");
    CHECK(d.so_far().tokens.input_tokens == 5);
    CHECK(d.so_far().tokens.cache_read_tokens == 3);
  }
  stream_decoder a(protocol::anthropic);
  a.feed("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
         "\"message\":\"Overloaded\"}}\n\n");
  CHECK(a.error() == "Overloaded");
}

TEST_CASE("whole answers parse, malformed ones are named", "[model][llm]") {
  auto o = parse_response(protocol::openai,
                          R"({"choices":[{"message":{"content":"Yes"},"finish_reason":"stop"}],)"
                          R"("usage":{"prompt_tokens":3,"completion_tokens":1}})");
  REQUIRE(o);
  CHECK(o->text == "Yes");
  auto a = parse_response(protocol::anthropic,
                          R"({"content":[{"type":"text","text":"A"},{"type":"text","text":"B"}],)"
                          R"("stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":2}})");
  REQUIRE(a);
  CHECK((a->text == "AB" && a->tokens.output_tokens == 2));
  auto bad = parse_response(protocol::openai, "{}");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail == "The openai provider's answer has no choices[0].message");
}

TEST_CASE("refusals are classified as Fabro's failure classes read them", "[model][llm]") {
  auto e = openai_at("http://h");
  auto rate = classify_failure(e, 429, R"({"error":{"message":"slow"}})", "3");
  CHECK(rate.kind == failure_kind::retry);
  CHECK(rate.retry_after_ms == 3000);
  CHECK(classify_failure(e, 503, "", "").kind == failure_kind::retry);
  auto auth = classify_failure(e, 401, R"({"error":{"message":"bad key sk-secret"}})", "");
  CHECK(auth.kind == failure_kind::auth);
  CHECK(auth.message.find("OPENAI_API_KEY") != std::string::npos);
  CHECK(auth.message.find("sk-secret") == std::string::npos);
  auto ctx = classify_failure(
      e, 400, R"({"error":{"message":"too long","code":"context_length_exceeded"}})", "");
  CHECK(ctx.kind == failure_kind::budget);
  CHECK(failed_outcome(ctx.message).failure_class == "budget_exhausted");
  CHECK(classify_failure(e, 429, R"({"error":{"type":"insufficient_quota"}})", "").kind ==
        failure_kind::budget);
  CHECK(classify_failure(e, 404, "", "").kind == failure_kind::fatal);
  // When to try again: Retry-After, else a doubling backoff; never past the attempts.
  CHECK(retry_delay_ms(rate, 1, 4, 1000) == 3000);
  CHECK(retry_delay_ms(classify_failure(e, 503, "", ""), 3, 4, 1000) == 4000);
  CHECK_FALSE(retry_delay_ms(classify_failure(e, 503, "", ""), 4, 4, 1000));
  CHECK_FALSE(retry_delay_ms(auth, 1, 4, 1000));
}

TEST_CASE("provider and model come from Fabro's layers, most specific first", "[model][llm]") {
  auto g = load_workflow(R"(digraph G { default_model="gpt-graph"
    model_stylesheet="* { model: claude-star; } .fast { model: gpt-fast; } #pinned { reasoning_effort: low; }"
    start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=tab, prompt="x", model="node-model", provider="openai"]
    b [shape=tab, prompt="x", class="fast"]
    pinned [shape=tab, prompt="x"]
    start -> a -> b -> pinned -> exit })");
  REQUIRE(g);
  run_settings s;
  auto a = choose_llm(*g, *g->find_node("a"), s, {});
  CHECK((a.model == "node-model" && a.provider == "openai"));
  auto b = choose_llm(*g, *g->find_node("b"), s, {});
  CHECK((b.model == "gpt-fast" && b.provider == "openai" && b.reasoning_effort == "high"));
  auto p = choose_llm(*g, *g->find_node("pinned"), s, {});
  CHECK((p.model == "claude-star" && p.provider == "anthropic" && p.reasoning_effort == "low"));
  auto g2 = load_workflow(R"(digraph G { default_model="gpt-graph"
    start [shape=Mdiamond] exit [shape=Msquare] a [shape=tab, prompt="x"] start -> a -> exit })");
  REQUIRE(g2);
  CHECK(choose_llm(*g2, *g2->find_node("a"), s, {}).model == "gpt-graph");
  s.model = "claude-run";
  CHECK(choose_llm(*g2, *g2->find_node("a"), s, {}).provider == "anthropic");
  run_settings none;
  auto plain = load_workflow(R"(digraph G { start [shape=Mdiamond] exit [shape=Msquare]
    a [shape=tab, prompt="x"] start -> a -> exit })");
  REQUIRE(plain);
  auto d = choose_llm(*plain, *plain->find_node("a"), none, {"anthropic", "claude-default"});
  CHECK((d.provider == "anthropic" && d.model == "claude-default"));
}

TEST_CASE("an answer fills the context, its last directive routes", "[model][llm]") {
  auto o = prompt_outcome("ask", "Plain answer.");
  CHECK(o.status == stage_status::succeeded);
  CHECK(o.context_updates.at("response.ask") == "Plain answer.");
  CHECK(o.context_updates.at("last_stage") == "ask");
  auto d = prompt_outcome("ask", "First {\"outcome\":\"success\"} then "
                                 "{\"preferred_next_label\":\"Ship\",\"context_updates\":"
                                 "{\"score\":3,\"verdict\":\"go\"}} done {not json}");
  CHECK(d.preferred_label == "Ship");
  CHECK(d.context_updates.at("score") == "3");
  CHECK(d.context_updates.at("verdict") == "go");
  auto f = prompt_outcome("ask", R"({"outcome":"fail","failure_reason":"tests are red"})");
  CHECK(f.status == stage_status::failed);
  CHECK(f.failure_message == "tests are red");
  CHECK(std::string(400, 'x').substr(0, 200) ==
        prompt_outcome("ask", std::string(400, 'x')).context_updates.at("last_response"));
}
