// The contract checker itself (tests/support/api_contract, json_schema):
// bodies Fabro's document accepts pass, bodies it refuses fail, so the
// e2e tests' silence means something.
#include <catch2/catch.hpp>

#include "tests/support/api_contract.hpp"
#include "tests/support/json_schema.hpp"

using namespace fabro::testing;

namespace {

const char* kSchemas = R"(
components:
  schemas:
    Status:
      type: string
      enum: [submitted, queued]
    Run:
      type: object
      required: [id, status]
      additionalProperties: false
      properties:
        id: {type: string, minLength: 2}
        status: {$ref: "#/components/schemas/Status"}
        at: {type: string, format: date-time, nullable: true}
        n: {type: integer, minimum: 0, maximum: 10}
        tags: {type: array, items: {type: string}, maxItems: 2}
        pending: {allOf: [{$ref: "#/components/schemas/Status"}], nullable: true}
        either: {oneOf: [{type: string}, {type: integer}]}
)";

std::vector<std::string> run_errors(const std::string& json) {
  auto doc = YAML::Load(kSchemas);
  json_schema_validator v(doc);
  return v.errors_in(v.resolve("#/components/schemas/Run"), json);
}

}  // namespace

TEST_CASE("the schema validator accepts conforming bodies and names what is wrong in others",
          "[http][contract]") {
  CHECK(run_errors(R"({"id":"ab","status":"queued"})").empty());
  CHECK(run_errors(R"({"id":"ab","status":"queued","at":null,"n":3,"tags":["x"],)"
                   R"("pending":null,"either":4})").empty());
  CHECK(run_errors(R"({"id":"ab","status":"queued","at":"2026-12-03T14:00:00.123Z"})").empty());

  auto one = [](const std::string& json) {
    auto e = run_errors(json);
    INFO(json);
    REQUIRE(e.size() == 1);
    return e[0];
  };
  CHECK(one(R"({"status":"queued"})") == "$: missing required \"id\"");
  CHECK(one(R"({"id":"ab","status":"running"})") ==
        "$.status: \"running\" is not one of the enum values");
  CHECK(one(R"({"id":1,"status":"queued"})") == "$.id: expected string, got 1");
  CHECK(one(R"({"id":"a","status":"queued"})") == "$.id: shorter than 2");
  CHECK(one(R"({"id":"ab","status":"queued","x":1})") == "$: unexpected property \"x\"");
  CHECK(one(R"({"id":"ab","status":"queued","at":"yesterday"})") ==
        "$.at: \"yesterday\" is not an RFC 3339 date-time");
  CHECK(one(R"({"id":"ab","status":"queued","n":11})") == "$.n: 11 is above the maximum 10");
  CHECK(one(R"({"id":"ab","status":"queued","n":1.5})") == "$.n: expected integer, got 1.5");
  CHECK(one(R"({"id":"ab","status":"queued","tags":["a","b","c"]})") == "$.tags: more than 2 items");
  CHECK(one(R"({"id":"ab","status":"queued","tags":[1]})") == "$.tags[0]: expected string, got 1");
  CHECK(one(R"({"id":"ab","status":"queued","pending":"nope"})") ==
        "$.pending: \"nope\" is not one of the enum values");
  CHECK(one(R"({"id":"ab","status":"queued","either":true})").find("matches none of oneOf") !=
        std::string::npos);
  CHECK(one(R"({"id":"ab","status":null})") == "$.status: expected string, got null");
  CHECK(one("[1]") == "$: expected object, got [1]");
  CHECK(one("{nope").rfind("$: not JSON", 0) == 0);
}

TEST_CASE("answers are checked against Fabro's document by route and status",
          "[http][contract]") {
  CHECK(contract_path("/api/v1/runs/01ABC/questions?x=1") == "/api/v1/runs/{id}/questions");
  CHECK(contract_path("/api/v1/attach") == "/api/v1/attach");
  CHECK(contract_path("/api/v1/nothing/here") == "");

  const std::string status_body =
      R"({"id":"01JRZ3NDEKTSV4RRFFQ69G5FAV","status":"submitted","created_at":"2026-12-03T14:00:00Z"})";
  auto check = [](const char* method, const std::string& target, int status,
                  const std::string& body, const char* type = "application/json") {
    return contract_violations(method, target, status, type, body);
  };
  CHECK(check("POST", "/api/v1/runs/01X/cancel", 200, status_body).empty());
  CHECK(check("POST", "/api/v1/runs", 200, status_body).empty());  // our documented extension
  CHECK(check("GET", "/api/v1/runs/01X", 404,
              R"({"errors":[{"status":"404","title":"Not Found","detail":"Run not found."}]})")
            .empty());
  // A 2xx the document does not list, an error without Fabro's body, a
  // body where the document has none, a body of the wrong shape.
  CHECK(check("POST", "/api/v1/runs/01X/cancel", 202, status_body).size() == 1);
  CHECK(!check("POST", "/api/v1/runs/01X/cancel", 409, R"({"error":"no"})").empty());
  CHECK(check("DELETE", "/api/v1/runs/01X", 204, "{}").size() == 1);
  CHECK(!check("POST", "/api/v1/runs/01X/cancel", 200, R"({"id":"01X"})").empty());
  CHECK(check("POST", "/api/v1/runs/01X/cancel", 200, status_body, "text/plain").size() == 1);
  CHECK(!check("GET", "/api/v1/runs", 200, R"({"data":[],"meta":{"has_more":false}})").empty());
  CHECK(check("GET", "/api/v1/runs", 200, "[]").empty());
}
