#include "model/run_event.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <string>
#include <vector>

using namespace fabro::model;

namespace {

run_event created_event() {
  run_event e;
  e.run_id = "01JRZ3NDEKTSV4RRFFQ69G5FAV";
  e.seq = 1;
  e.id = "019d86d6-7c95-7123-8456-0123456789ab";
  e.ts_ms = 1776083696789;
  e.event = "run.created";
  e.properties_json = R"({"workflow_name":"Smoke"})";
  return e;
}

std::vector<std::string> keys_of(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::object obj = p.parse(json).get_object().value();
  std::vector<std::string> keys;
  for (auto field : obj) keys.emplace_back(field.key);
  return keys;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

// ---------------------------------------------------------------- envelope

TEST_CASE("an event envelope is flat: seq, id, ts, run_id, event, properties", "[model]") {
  CHECK(envelope_json(created_event()) ==
        R"({"seq":1,"id":"019d86d6-7c95-7123-8456-0123456789ab",)"
        R"("ts":"2026-04-13T12:34:56.789Z","run_id":"01JRZ3NDEKTSV4RRFFQ69G5FAV",)"
        R"("event":"run.created","properties":{"workflow_name":"Smoke"}})");
}

TEST_CASE("optional envelope keys are omitted when empty", "[model]") {
  auto json = envelope_json(created_event());
  for (const char* k : {"node_id", "node_label", "stage_id", "actor", "payload"}) {
    INFO(k);
    CHECK(json.find(std::string("\"") + k + "\"") == std::string::npos);
  }
}

TEST_CASE("empty properties are written as an empty object", "[model]") {
  auto e = created_event();
  e.properties_json = "";
  CHECK(envelope_json(e).find(R"("properties":{})") != std::string::npos);
  e.properties_json = "{}";
  CHECK(envelope_json(e).find(R"("properties":{})") != std::string::npos);
  run_event fresh;  // a default event has {} properties too
  CHECK(envelope_json(fresh).find(R"("properties":{})") != std::string::npos);
}

TEST_CASE("optional envelope keys follow properties in a fixed order", "[model]") {
  auto e = created_event();
  e.event = "run.cancel.requested";
  e.properties_json = R"({"action":"cancel"})";
  e.node_id = "work";
  e.node_label = "Work";
  e.stage_id = "work@1";
  e.actor_json = R"({"kind":"user","id":"alice","display":"alice"})";
  auto json = envelope_json(e);
  CHECK(keys_of(json) == std::vector<std::string>{"seq", "id", "ts", "run_id", "event",
                                                   "properties", "node_id", "node_label",
                                                   "stage_id", "actor"});
  CHECK(json.find(R"("actor":{"kind":"user","id":"alice","display":"alice"})") !=
        std::string::npos);
  CHECK(json.find(R"("stage_id":"work@1")") != std::string::npos);
}

TEST_CASE("each optional envelope key appears on its own", "[model]") {
  auto e = created_event();
  e.stage_id = "work@2";
  CHECK(keys_of(envelope_json(e)) == std::vector<std::string>{"seq", "id", "ts", "run_id",
                                                               "event", "properties",
                                                               "stage_id"});
  e = created_event();
  e.actor_json = R"({"kind":"system"})";
  CHECK(keys_of(envelope_json(e)).back() == "actor");
}

TEST_CASE("an envelope's strings are escaped and its text is valid JSON", "[model]") {
  auto e = created_event();
  e.node_label = "say \"hi\"\n";
  e.seq = 18446744073709551615ULL;
  auto json = envelope_json(e);
  simdjson::dom::parser p;
  auto doc = p.parse(json);
  REQUIRE_FALSE(doc.error());
  CHECK(std::string(doc["node_label"].get_string().value()) == "say \"hi\"\n");
  CHECK(doc["seq"].get_uint64().value() == 18446744073709551615ULL);
}

TEST_CASE("an envelope's ts has no fraction on a whole second", "[model]") {
  auto e = created_event();
  e.ts_ms = 1776083696000;
  CHECK(envelope_json(e).find(R"("ts":"2026-04-13T12:34:56Z")") != std::string::npos);
}

// ------------------------------------------------------------------ UUIDv7

TEST_CASE("a UUIDv7 is 36 lower-case hex characters in 8-4-4-4-12 groups", "[model]") {
  auto id = make_uuid_v7(1776083696789, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  REQUIRE(id.size() == 36);
  for (size_t i = 0; i < id.size(); ++i) {
    INFO("position " << i);
    if (i == 8 || i == 13 || i == 18 || i == 23)
      CHECK(id[i] == '-');
    else
      CHECK(is_lower_hex(id[i]));
  }
}

TEST_CASE("a UUIDv7 carries version 7 and the RFC 4122 variant", "[model]") {
  for (uint8_t fill : {0x00, 0x5A, 0xA5, 0xFF}) {
    std::array<uint8_t, 10> rnd;
    rnd.fill(fill);
    auto id = make_uuid_v7(1776083696789, rnd);
    INFO(id);
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  }
  std::array<uint8_t, 10> zeros{};
  std::array<uint8_t, 10> ones;
  ones.fill(0xFF);
  CHECK(make_uuid_v7(0, zeros) == "00000000-0000-7000-8000-000000000000");
  CHECK(make_uuid_v7(0, ones) == "00000000-0000-7fff-bfff-ffffffffffff");
}

TEST_CASE("a UUIDv7 starts with its 48-bit millisecond timestamp", "[model]") {
  // 1776083696789 = 0x019D86D67C95
  auto id = make_uuid_v7(1776083696789, {});
  CHECK(id.substr(0, 13) == "019d86d6-7c95");
  CHECK(make_uuid_v7(0xFFFFFFFFFFFFULL, {}).substr(0, 13) == "ffffffff-ffff");
}

TEST_CASE("UUIDv7s sort by time and differ by their random bits", "[model]") {
  std::array<uint8_t, 10> a{1}, b{2};
  CHECK(make_uuid_v7(1000, a) < make_uuid_v7(1001, a));
  CHECK(make_uuid_v7(1000, a) != make_uuid_v7(1000, b));
  CHECK(make_uuid_v7(1000, a) == make_uuid_v7(1000, a));  // pure
}

TEST_CASE("a UUIDv7 keeps every random bit outside version and variant", "[model]") {
  std::array<uint8_t, 10> rnd{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22};
  // byte 6 high nibble -> 7; byte 8 top two bits -> 10.
  CHECK(make_uuid_v7(0, rnd) == "00000000-0000-7234-9678-9abcdef01122");
}
