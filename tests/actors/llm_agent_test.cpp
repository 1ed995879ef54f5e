// Agent stages' tool-use loop (issue 17 item 4) against a stand-in provider:
// the model writes a file with write_file, tests it with shell, is refused a
// path outside the working directory, then answers; what it was sent back,
// what the run recorded, and that the file is there afterwards.
#include <catch2/catch.hpp>

#include <fstream>

#include "actors/stage_handlers/agent_tools.hpp"
#include "tests/actors/execution_harness.hpp"
#include "tests/support/stand_in_llm.hpp"

using namespace fabro;
using namespace fabro::testing;

namespace {

stand_in_reply turn(const std::string& message_json, int64_t in, int64_t out) {
  return stand_in_llm::openai_message(message_json, in, out);
}

std::string tool_call(const std::string& id, const std::string& name, const std::string& args) {
  return stand_in_llm::openai_tool_call(id, name, args);
}

size_t count(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), x));
}

}  // namespace

TEST_CASE("an agent stage writes a file, tests it with shell, is kept inside its directory",
          "[actors][llm]") {
  stand_in_llm provider;
  provider.script({
      turn(R"({"role":"assistant","content":null,"tool_calls":[)" +
               tool_call("c1", "write_file", R"({"path":"src/hello.txt","content":"hi\n"})") + "," +
               tool_call("c2", "shell", R"({"command":"grep -q hi src/hello.txt && echo FOUND"})") +
               "]}",
           100, 20),
      turn(R"({"role":"assistant","content":"Checking.","tool_calls":[)" +
               tool_call("c3", "read_file", R"({"path":"../outside"})") + "]}",
           150, 10),
      turn(R"({"role":"assistant","content":"Done. {\"context_updates\":{\"agent.result\":\"ok\"}}"})",
           200, 5),
  });
  temp_dir dir;
  exec_harness h(true, {}, {}, {}, [&](actors::orchestrator_config& c) {
    c.llm_providers["openai"] = {model::llm::protocol::openai, provider.base_url() + "/v1",
                                 "sk-agent", "OPENAI_API_KEY"};
  });
  auto id = h.start(workflow_manifest(
      "digraph A { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  build [prompt=\"Create src/hello.txt saying hi and check it\", model=\"gpt-agent\"]\n"
      "  start -> build -> exit }",
      dir.str()));
  REQUIRE(h.finish(id).status == model::run_status::completed);
  std::ifstream in(dir.path / "src/hello.txt");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "hi\n");
  auto got = provider.received();
  REQUIRE(got.size() == 3);
  CHECK(got[0].body.find("\"tools\":[") != std::string::npos);
  // The shell's output and the refusal went back to the model.
  CHECK(got[1].body.find(R"({"role":"tool","tool_call_id":"c2","content":"exit code 0\nFOUND\n"})") !=
        std::string::npos);
  CHECK(got[2].body.find("Path '../outside' is outside the working directory") !=
        std::string::npos);
  auto events = h.events(id);
  CHECK(count(events, "agent.message build") == 3);
  CHECK(count(events, "agent.tool.started build") == 3);
  CHECK(count(events, "agent.tool.completed build") == 3);
  std::string refused, completed;
  for (const auto& e : h.envelopes(id)) {
    if (e.find("\"tool_call_id\":\"c3\"") != std::string::npos &&
        e.find("agent.tool.completed") != std::string::npos)
      refused = e;
    if (e.find("\"event\":\"stage.completed\"") != std::string::npos &&
        e.find("\"node_id\":\"build\"") != std::string::npos)
      completed = e;
  }
  CHECK(refused.find("\"is_error\":true") != std::string::npos);
  bool turn_billed = false;
  for (const auto& e : h.envelopes(id))
    turn_billed |= e.find("agent.message") != std::string::npos &&
                   e.find("\"billing\":{\"input_tokens\":150,\"output_tokens\":10") != std::string::npos;
  CHECK(turn_billed);
  CHECK(completed.find("\"input_tokens\":450") != std::string::npos);  // summed over turns
}

TEST_CASE("an Anthropic agent stage uses tools and gets their results back as tool_result blocks",
          "[actors][llm]") {
  stand_in_llm provider;
  provider.script({
      stand_in_llm::anthropic_message(
          R"([{"type":"text","text":"Looking."},{"type":"tool_use","id":"tu1","name":"list_dir","input":{"path":"."}}])",
          30, 4),
      stand_in_llm::anthropic_message(R"([{"type":"text","text":"Only notes.txt."}])", 40, 3),
  });
  temp_dir dir;
  std::ofstream(dir.path / "notes.txt") << "n";
  exec_harness h(true, {}, {}, {}, [&](actors::orchestrator_config& c) {
    c.llm_providers["anthropic"] = {model::llm::protocol::anthropic, provider.base_url(),
                                    "sk-ant", "ANTHROPIC_API_KEY"};
  });
  auto id = h.start(workflow_manifest(
      "digraph A { start [shape=Mdiamond] exit [shape=Msquare]\n"
      "  look [prompt=\"What is here?\", model=\"claude-agent\"]\n  start -> look -> exit }",
      dir.str()));
  REQUIRE(h.finish(id).status == model::run_status::completed);
  auto got = provider.received();
  REQUIRE(got.size() == 2);
  CHECK(got[0].body.find("\"input_schema\"") != std::string::npos);
  CHECK(got[1].body.find(R"({"role":"assistant","content":[{"type":"text","text":"Looking."},)") !=
        std::string::npos);
  CHECK(got[1].body.find(R"({"type":"tool_result","tool_use_id":"tu1","content":"notes.txt\n","is_error":false})") !=
        std::string::npos);
}

TEST_CASE("agent file tools stay inside the working directory", "[actors][llm]") {
  temp_dir dir;
  temp_dir outside;
  std::filesystem::create_directories(dir.path / "sub");
  std::filesystem::create_directory_symlink(outside.path, dir.path / "escape");
  CHECK(actors::confine(dir.str(), "sub/../a.txt"));
  CHECK_FALSE(actors::confine(dir.str(), "../x"));
  CHECK_FALSE(actors::confine(dir.str(), "/etc/passwd"));
  CHECK_FALSE(actors::confine(dir.str(), "escape/x"));
  auto w = actors::write_file_tool(dir.str(), "escape/planted", "x");
  CHECK(w.is_error);
  CHECK_FALSE(std::filesystem::exists(outside.path / "planted"));
  CHECK_FALSE(actors::write_file_tool(dir.str(), "sub/new/file.txt", "ok").is_error);
  CHECK(actors::read_file_tool(dir.str(), "sub/new/file.txt").text == "ok");
  CHECK(actors::list_dir_tool(dir.str(), ".").text == "escape/\nsub/\n");
}
