// The contract test of issue 14: every response the test HTTP client
// (http_client.hpp) receives on a route of Fabro's seed-era OpenAPI
// document (tests/fixtures/fabro-api/fabro-api-9b83453.yaml, loaded at test
// time) is checked against that route's documented answer:
//
// - its status must be one the operation lists, or an error status (4xx,
//   5xx) whose body is Fabro's ErrorResponse, or one of our documented
//   extensions (kExtensions in the .cpp: POST /api/v1/runs answering 200
//   for a repeated run_id);
// - a documented JSON body must be JSON and match the response schema
//   (json_schema.hpp; OpenAPI's nullable is "or null");
// - a documented empty answer (204) must have no body.
// Routes and methods the document lacks (our own) are not checked.
//
// A violation is printed at once and fails the running Catch test case at
// its end (the test binary exits non-zero), whichever thread received it.
#pragma once

#include <string>
#include <vector>

namespace fabro::testing {

// What is wrong with this answer to `method target` under the document;
// empty when it conforms or the route is not in the document. Thread-safe.
std::vector<std::string> contract_violations(const std::string& method,
                                             const std::string& target, int status,
                                             const std::string& content_type,
                                             const std::string& body);

// contract_violations, remembered for the test case's end.
void record_contract(const std::string& method, const std::string& target, int status,
                     const std::string& content_type, const std::string& body);

// The documented path template `target` (query stripped) matches, such as
// "/api/v1/runs/{id}"; "" when none. Literal segments win over templates.
std::string contract_path(const std::string& target);

}  // namespace fabro::testing
