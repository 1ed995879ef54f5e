// Fabro's RunStage list folded from an event log (model/run_stages.hpp).
#include <catch2/catch.hpp>

#include "model/run_stages.hpp"
#include "tests/support/json_schema.hpp"

using namespace fabro::model;

namespace {

std::string env(const std::string& event, const std::string& stage, int second,
                const std::string& props = "{}") {
  std::string node = stage.substr(0, stage.find('@'));
  return "{\"seq\":1,\"id\":\"e\",\"ts\":\"2026-04-13T12:00:" + std::string(second < 10 ? "0" : "") +
         std::to_string(second) + "Z\",\"run_id\":\"r\",\"event\":\"" + event +
         "\",\"properties\":" + props + ",\"node_id\":\"" + node + "\",\"node_label\":\"Node " +
         node + "\",\"stage_id\":\"" + stage + "\"}";
}

std::vector<std::string> schema_errors(const std::string& json) {
  auto doc = YAML::LoadFile(FABRO_SOURCE_DIR "/tests/fixtures/fabro-api/fabro-api-9b83453.yaml");
  fabro::testing::json_schema_validator v(doc);
  return v.errors_in(v.resolve("#/components/schemas/PaginatedRunStageList"), json);
}

}  // namespace

TEST_CASE("each stage execution is listed once with its status and duration", "[model]") {
  run_stages s;
  for (const auto& e : {env("stage.started", "plan@1", 0), env("stage.completed", "plan@1", 3),
                        env("stage.started", "work@1", 3),
                        env("stage.failed", "work@1", 4, "{\"will_retry\":true}"),
                        env("stage.retrying", "work@1", 4), env("stage.started", "work@1", 5),
                        env("stage.failed", "work@1", 9, "{\"will_retry\":false}"),
                        env("stage.started", "plan@2", 9),
                        env("stage.completed", "plan@2", 10, "{\"duration_ms\":250}"),
                        env("stage.started", "gate@1", 10)})
    REQUIRE(s.apply(e));
  auto all = s.json(0, 100);
  CHECK(schema_errors(all).empty());
  CHECK(all ==
        "{\"data\":["
        "{\"id\":\"plan@1\",\"name\":\"Node plan\",\"status\":\"completed\",\"duration_secs\":3,\"dot_id\":\"plan\"},"
        "{\"id\":\"work@1\",\"name\":\"Node work\",\"status\":\"failed\",\"duration_secs\":6,\"dot_id\":\"work\"},"
        "{\"id\":\"plan@2\",\"name\":\"Node plan\",\"status\":\"completed\",\"duration_secs\":0.25,\"dot_id\":\"plan\"},"
        "{\"id\":\"gate@1\",\"name\":\"Node gate\",\"status\":\"running\",\"dot_id\":\"gate\"}"
        "],\"meta\":{\"has_more\":false}}");
  CHECK(s.has("work@1"));
  CHECK_FALSE(s.has("work@2"));
  auto page = s.json(1, 2);
  CHECK(page.find("\"id\":\"work@1\"") != std::string::npos);
  CHECK(page.find("\"id\":\"gate@1\"") == std::string::npos);
  CHECK(page.find("\"has_more\":true") != std::string::npos);

  REQUIRE(s.apply("{\"event\":\"run.failed\",\"ts\":\"2026-04-13T12:00:12Z\","
                  "\"properties\":{\"reason\":\"cancelled\",\"error\":\"x\"}}"));
  CHECK(s.json(3, 1).find("\"status\":\"cancelled\",\"duration_secs\":2") != std::string::npos);
  CHECK_FALSE(s.apply("not json"));
}
