#include "http/openapi.hpp"

#include <catch2/catch.hpp>

#include <set>

#include <simdjson.h>

#include "http/api.hpp"

using namespace fabro;

namespace {

struct document {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  document() { REQUIRE_FALSE(parser.parse(std::string(http::openapi_document())).get(root)); }
};

// "GET /api/v1/runs/{id}" for each operation of the document.
std::set<std::string> documented_operations(document& doc) {
  std::set<std::string> out;
  simdjson::dom::object paths = doc.root["paths"].get_object();
  for (auto [path, item] : paths) {
    simdjson::dom::object ops = item.get_object();
    for (auto [method, op] : ops) {
      std::string m(method);
      if (m != "get" && m != "post" && m != "put" && m != "delete" && m != "patch") continue;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(m + " " + std::string(path));
    }
  }
  return out;
}

simdjson::dom::element operation(document& doc, const http::route& r) {
  std::string method = r.method;
  for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return doc.root["paths"][http::openapi_path(r.path)][method].value();
}

// Every "$ref" under `e`, e.g. "#/components/schemas/RunSummary".
void collect_refs(simdjson::dom::element e, std::set<std::string>& out) {
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  if (!e.get_object().get(obj)) {
    for (auto [k, v] : obj) {
      std::string_view ref;
      if (k == "$ref" && !v.get_string().get(ref)) out.insert(std::string(ref));
      else collect_refs(v, out);
    }
  } else if (!e.get_array().get(arr)) {
    for (auto v : arr) collect_refs(v, out);
  }
}

}  // namespace

TEST_CASE("Pistache paths are written the OpenAPI way", "[http][openapi]") {
  CHECK(http::openapi_path("/api/v1/runs") == "/api/v1/runs");
  CHECK(http::openapi_path("/api/v1/runs/:id") == "/api/v1/runs/{id}");
  CHECK(http::openapi_path("/api/v1/runs/:id/questions/:qid/answer") ==
        "/api/v1/runs/{id}/questions/{qid}/answer");
}

TEST_CASE("the embedded OpenAPI document is JSON of version 3.1", "[http][openapi]") {
  document doc;
  std::string_view version;
  REQUIRE_FALSE(doc.root["openapi"].get_string().get(version));
  CHECK(version.substr(0, 4) == "3.1.");
  CHECK_FALSE(doc.root["components"]["schemas"]["ErrorResponse"].error());
}

TEST_CASE("every served route is documented and every documented operation is served",
          "[http][openapi]") {
  document doc;
  std::set<std::string> served;
  for (const auto& r : http::api::routes()) served.insert(r.method + " " + http::openapi_path(r.path));
  auto documented = documented_operations(doc);
  for (const auto& op : served) {
    INFO("served but missing from openapi/openapi.json: " << op);
    CHECK(documented.count(op) == 1);
  }
  for (const auto& op : documented) {
    INFO("documented in openapi/openapi.json but not served: " << op);
    CHECK(served.count(op) == 1);
  }
}

TEST_CASE("the document states each route's authentication", "[http][openapi]") {
  document doc;
  for (const auto& r : http::api::routes()) {
    INFO(r.method << " " << r.path);
    auto op = operation(doc, r);
    auto responses = op["responses"];
    simdjson::dom::array security;
    bool no_security = !op["security"].get_array().get(security) && security.size() == 0;
    if (r.access == http::route_access::open) {
      CHECK(no_security);
      CHECK(responses["401"].error());
    } else {
      CHECK_FALSE(no_security);
      CHECK_FALSE(responses["401"].error());
      // 403 exists only where a verified user can be turned away.
      CHECK(responses["403"].error() == (r.access == http::route_access::subject
                                             ? simdjson::NO_SUCH_FIELD
                                             : simdjson::SUCCESS));
    }
  }
}

TEST_CASE("every $ref of the document points at a component it defines", "[http][openapi]") {
  document doc;
  std::set<std::string> refs;
  collect_refs(doc.root, refs);
  CHECK_FALSE(refs.empty());
  for (const auto& ref : refs) {
    INFO(ref);
    REQUIRE(ref.rfind("#/components/", 0) == 0);
    auto rest = ref.substr(13);
    auto slash = rest.find('/');
    REQUIRE(slash != std::string::npos);
    CHECK_FALSE(doc.root["components"][rest.substr(0, slash)][rest.substr(slash + 1)].error());
  }
}
