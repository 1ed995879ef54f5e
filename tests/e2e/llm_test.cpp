// Prompt stages through the real binary (issue 17): the provider configured
// from the environment (OPENAI_API_KEY, OPENAI_BASE_URL at a stand-in on
// loopback), an answer that routes the run by condition, cancel during a
// streamed answer, and Fabro's precondition when no provider is configured.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/stand_in_llm.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "sk-e2e-key";

struct llm_server {
  temp_dir dir;
  server_process proc;
  llm_server(const env_changes& env, std::vector<std::string> args = {})
      : proc(dir.path + "/data", std::move(args), env) {}
  http_response post(const std::string& path, const std::string& body = "") {
    return http_request(proc.port(), "POST", path, body);
  }
  std::string status(const std::string& id) {
    return json_string_field(http_request(proc.port(), "GET", "/api/v1/runs/" + id).body,
                             "status");
  }
  std::string start(const std::string& source, const std::string& cwd) {
    auto id = json_string_field(post("/api/v1/runs", exec_manifest(source, cwd)).body, "id");
    REQUIRE(post("/api/v1/runs/" + id + "/start").status == 200);
    return id;
  }
  std::string events(const std::string& id) {
    return http_request(proc.port(), "GET", "/api/v1/runs/" + id + "/events?limit=1000").body;
  }
};

env_changes provider_env(stand_in_llm& p) {
  return {{"OPENAI_API_KEY", std::string(kKey)}, {"OPENAI_BASE_URL", p.base_url() + "/v1"}};
}

const char* kRoute = R"(digraph R { start [shape=Mdiamond] exit [shape=Msquare]
  judge [shape=tab, prompt="Is the build green?", model="gpt-e2e"]
  deploy [shape=parallelogram, script="touch deployed"]
  fix [shape=parallelogram, script="touch fixing"]
  start -> judge
  judge -> deploy [condition="context.build=green"]
  judge -> fix
  deploy -> exit  fix -> exit })";

}  // namespace

TEST_CASE("a prompt stage's answer routes a run on the real binary", "[e2e][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::openai_stream(
      {"All checks pass. ", R"({"context_updates":{"build":"green"}})"}, 30, 9)});
  llm_server s(provider_env(provider));
  REQUIRE(s.proc.started());
  temp_dir cwd;
  auto id = s.start(kRoute, cwd.path);
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }, 20s));
  CHECK(std::filesystem::exists(cwd.path + "/deployed"));
  CHECK_FALSE(std::filesystem::exists(cwd.path + "/fixing"));
  auto got = provider.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].headers["authorization"] == std::string("Bearer ") + kKey);
  CHECK(got[0].body.find("\"content\":\"Is the build green?\"") != std::string::npos);
  auto events = s.events(id);
  CHECK(events.find("\"event\":\"prompt.completed\"") != std::string::npos);
  CHECK(events.find(kKey) == std::string::npos);
  CHECK(s.proc.log().find(kKey) == std::string::npos);
  // The usage, per stage and model (Fabro's RunBilling).
  auto billing = http_request(s.proc.port(), "GET", "/api/v1/runs/" + id + "/billing");
  REQUIRE(billing.status == 200);
  CHECK(billing.body.find(R"({"stage":{"id":"judge@1","name":"judge"},"model":{"id":"gpt-e2e"},)"
                          R"("billing":{"input_tokens":30,"output_tokens":9,"total_tokens":39,)") !=
        std::string::npos);
  CHECK(billing.body.find(R"("by_model":[{"model":{"id":"gpt-e2e"},"stages":1,)") !=
        std::string::npos);
  CHECK(billing.body.find(R"("input_tokens":30,"output_tokens":9,"total_tokens":39)") !=
        std::string::npos);
}

TEST_CASE("cancel during a streamed answer ends the run cancelled at once", "[e2e][llm]") {
  stand_in_llm provider;
  auto endless = stand_in_llm::openai_stream({"Let me think"}, 1, 1);
  endless.pieces.resize(1);
  endless.hold = true;
  provider.script({endless});
  llm_server s(provider_env(provider));
  REQUIRE(s.proc.started());
  temp_dir cwd;
  auto id = s.start(kRoute, cwd.path);
  REQUIRE(eventually([&] {
    return s.events(id).find("\"event\":\"stage.progress\"") != std::string::npos;
  }));
  auto asked = std::chrono::steady_clock::now();
  REQUIRE(s.post("/api/v1/runs/" + id + "/cancel").status == 200);
  REQUIRE(eventually([&] { return s.status(id) == "cancelled"; }, 10s));
  auto took = std::chrono::steady_clock::now() - asked;
  // The request is aborted (the provider sees the connection close), not
  // waited out. (The bound is loose for loaded machines; it is ~ms here.)
  CHECK(took < 2s);
  CHECK(eventually([&] { return provider.client_went_away(); }));
}

TEST_CASE("with no provider a run with LLM stages fails Fabro's precondition, --simulate-llm "
          "simulates",
          "[e2e][llm]") {
  temp_dir cwd;
  {
    llm_server s({});
    REQUIRE(s.proc.started());
    auto id = s.start(kRoute, cwd.path);
    REQUIRE(eventually([&] { return s.status(id) == "failed"; }, 20s));
    auto run = http_request(s.proc.port(), "GET", "/api/v1/runs/" + id).body;
    CHECK(run.find("Precondition failed: No LLM providers configured. Set ANTHROPIC_API_KEY or "
                   "OPENAI_API_KEY, or pass --dry-run to simulate.") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(cwd.path + "/fixing"));
  }
  {
    llm_server s({}, {"--simulate-llm"});
    REQUIRE(s.proc.started());
    auto id = s.start(kRoute, cwd.path);
    REQUIRE(eventually([&] { return s.status(id) == "completed"; }, 20s));
    CHECK(std::filesystem::exists(cwd.path + "/fixing"));  // the simulation sets no build=green
  }
}

TEST_CASE("an agent stage writes a file and tests it with shell on the real binary, a path "
          "outside is refused",
          "[e2e][llm]") {
  stand_in_llm provider;
  using s = stand_in_llm;
  provider.script({
      s::openai_message(R"({"role":"assistant","content":null,"tool_calls":[)" +
                            s::openai_tool_call("a", "write_file",
                                                R"({"path":"calc.sh","content":"echo $((6*7))\n"})") +
                            "," +
                            s::openai_tool_call("b", "shell", R"({"command":"bash calc.sh"})") + "," +
                            s::openai_tool_call("c", "write_file",
                                                R"({"path":"../outside.txt","content":"x"})") +
                            "]}",
                        50, 10),
      s::openai_message(R"({"role":"assistant","content":"calc.sh prints 42."})", 80, 6),
  });
  llm_server server(provider_env(provider));
  REQUIRE(server.proc.started());
  temp_dir root;
  auto cwd = root.path + "/work";
  std::filesystem::create_directories(cwd);
  auto id = server.start(
      "digraph A { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  code [prompt=\"Write calc.sh printing 6*7 and run it\", model=\"gpt-agent\"]\n"
      "  start -> code -> exit }",
      cwd);
  REQUIRE(eventually([&] { return server.status(id) == "completed"; }, 30s));
  CHECK(std::filesystem::exists(cwd + "/calc.sh"));
  CHECK_FALSE(std::filesystem::exists(root.path + "/outside.txt"));
  auto got = provider.received();
  REQUIRE(got.size() == 2);
  CHECK(got[1].body.find(R"("tool_call_id":"b","content":"exit code 0\n42\n")") != std::string::npos);
  CHECK(got[1].body.find("Path '../outside.txt' is outside the working directory") !=
        std::string::npos);
  auto events = server.events(id);
  CHECK(events.find("\"event\":\"agent.tool.completed\"") != std::string::npos);
}

TEST_CASE("a provider key can come from a file the config names", "[e2e][llm]") {
  stand_in_llm provider;
  provider.script({stand_in_llm::openai_stream({"fine"}, 2, 1)});
  temp_dir files;
  { std::ofstream(files.path + "/openai.key") << "sk-from-file\n"; }
  {
    std::ofstream(files.path + "/config.yaml") << "openai_api_key_file: \"" << files.path
                                               << "/openai.key\"\n";
  }
  llm_server s({{"OPENAI_BASE_URL", provider.base_url() + "/v1"}},
               {"--config", files.path + "/config.yaml"});
  REQUIRE(s.proc.started());
  temp_dir cwd;
  auto id = s.start(
      "digraph P { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  ask [shape=tab, prompt=\"Hi\", model=\"gpt-file\"]\n  start -> ask -> exit }",
      cwd.path);
  REQUIRE(eventually([&] { return s.status(id) == "completed"; }, 20s));
  auto got = provider.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].headers["authorization"] == "Bearer sk-from-file");
}
