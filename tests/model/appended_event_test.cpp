// The RunEvent a worker appends (model/appended_event.hpp): what is kept,
// and every way a body is refused, with its text.
#include <catch2/catch.hpp>

#include "model/appended_event.hpp"

using namespace fabro::model;

namespace {
const char* kRun = "01JRZ3NDEKTSV4RRFFQ69G5FAV";

std::string body(const std::string& extra = "", const std::string& run = kRun) {
  return "{\"id\":\"ev-1\",\"ts\":\"2026-04-13T14:34:56.789+02:00\",\"run_id\":\"" + run +
         "\",\"event\":\"agent.tool.started\"" + extra + "}";
}

std::string refusal(const std::string& json) {
  auto e = parse_appended_event(json, kRun);
  if (e) return "<accepted>";
  CHECK(e.error().code == errc::invalid_request);
  return e.error().detail;
}
}  // namespace

TEST_CASE("an appended event keeps Fabro's envelope keys and is stored in UTC", "[model]") {
  auto e = parse_appended_event(
      body(",\"properties\":{\"tool_name\":\"bash\",\"arguments\":{\"cmd\":\"ls\"}},"
           "\"node_id\":\"code\",\"stage_id\":\"code@2\",\"session_id\":\"s1\","
           "\"parent_session_id\":null,\"tool_call_id\":\"t1\",\"parallel_group_id\":\"fan@1\","
           "\"parallel_branch_id\":\"fan@1:0\",\"actor\":{\"kind\":\"agent\",\"id\":\"s1\"},"
           "\"seq\":99,\"unknown\":1"),
      kRun);
  REQUIRE(e);
  CHECK(e->seq == 0);  // the run assigns it
  e->seq = 7;
  CHECK(envelope_json(*e) ==
        std::string("{\"seq\":7,\"id\":\"ev-1\",\"ts\":\"2026-04-13T12:34:56.789Z\",\"run_id\":\"") +
            kRun +
            "\",\"event\":\"agent.tool.started\",\"properties\":{\"tool_name\":\"bash\","
            "\"arguments\":{\"cmd\":\"ls\"}},\"node_id\":\"code\",\"stage_id\":\"code@2\","
            "\"actor\":{\"kind\":\"agent\",\"id\":\"s1\"},\"parallel_group_id\":\"fan@1\","
            "\"parallel_branch_id\":\"fan@1:0\",\"session_id\":\"s1\",\"tool_call_id\":\"t1\"}");
  auto bare = parse_appended_event(body(), kRun);
  REQUIRE(bare);
  CHECK(bare->properties_json == "{}");
}

TEST_CASE("an appended event that is not Fabro's RunEvent is refused with why", "[model]") {
  CHECK(refusal(body("", "01JRZ3NDEKTSV4RRFFQ69G5FAW")) == kEventRunMismatch);
  CHECK(refusal("nope") == "Invalid run event: the body is not JSON.");
  CHECK(refusal("[1]") == "Invalid run event: the body must be a JSON object.");
  CHECK(refusal("{\"ts\":\"2026-04-13T12:00:00Z\",\"run_id\":\"01JRZ3NDEKTSV4RRFFQ69G5FAV\","
                "\"event\":\"a.b\"}")
            .find("`id`") != std::string::npos);
  auto with = [](const std::string& key, const std::string& value) {
    auto b = body();
    auto at = b.find("\"" + key + "\":");
    if (at == std::string::npos) return b.substr(0, b.size() - 1) + ",\"" + key + "\":" + value + "}";
    auto end = b.find_first_of(",}", b.find(':', at) + 1);
    return b.substr(0, b.find(':', at) + 1) + value + b.substr(end);
  };
  CHECK(refusal(with("ts", "\"yesterday\"")).find("`ts`") != std::string::npos);
  CHECK(refusal(with("ts", "12")).find("`ts`") != std::string::npos);
  CHECK(refusal(with("event", "\"Stage Started\"")).find("`event`") != std::string::npos);
  CHECK(refusal(with("event", "\"\"")).find("`event`") != std::string::npos);
  CHECK(refusal(with("properties", "[1]")).find("`properties`") != std::string::npos);
  CHECK(refusal(with("actor", "{\"kind\":\"robot\"}")).find("`actor`") != std::string::npos);
  CHECK(refusal(with("actor", "{\"kind\":\"user\",\"id\":3}")).find("`actor.id`") !=
        std::string::npos);
  CHECK(refusal(with("node_id", "5")).find("`node_id`") != std::string::npos);
  CHECK(refusal(with("stage_id", "\"code\"")).find("`stage_id`") != std::string::npos);
  CHECK(refusal(with("stage_id", "\"code@x\"")).find("`stage_id`") != std::string::npos);
  CHECK(refusal(with("parallel_branch_id", "\"fan@1\"")).find("`parallel_branch_id`") !=
        std::string::npos);
  CHECK(refusal(with("properties", "null")) == "<accepted>");
  CHECK(refusal(with("actor", "null")) == "<accepted>");
}
