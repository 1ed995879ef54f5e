#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "tests/support/api_contract.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include <catch2/catch.hpp>

#include "tests/support/json_schema.hpp"

namespace fabro::testing {
namespace {

// Answers the document does not list that our README documents as
// extensions: (method, path template, status) → the schema of the body.
struct extension {
  const char* method;
  const char* path;
  int status;
  const char* schema;
};
constexpr extension kExtensions[] = {
    // A repeated run_id with the same manifest answers the existing run.
    {"POST", "/api/v1/runs", 200, "#/components/schemas/RunStatusResponse"},
};

struct contract {
  YAML::Node doc;
  std::unique_ptr<json_schema_validator> validator;
  std::vector<std::pair<std::string, std::vector<std::string>>> paths;  // template, segments
};

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

const contract& the_contract() {
  static const contract c = [] {
    contract out;
    out.doc = YAML::LoadFile(FABRO_SOURCE_DIR "/tests/fixtures/fabro-api/fabro-api-9b83453.yaml");
    out.validator = std::make_unique<json_schema_validator>(out.doc);
    for (const auto& p : out.doc["paths"]) {
      auto path = p.first.as<std::string>();
      out.paths.emplace_back(path, segments(path));
    }
    return out;
  }();
  return c;
}

std::mutex g_mutex;
std::vector<std::string> g_violations;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Fails the test case that received a violation, at its end.
struct contract_listener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_violations.empty()) return;
    std::cerr << "\n" << stats.testInfo.name << ": " << g_violations.size()
              << " answer(s) break Fabro's API document (tests/support/api_contract.hpp)\n";
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(3);
  }
};
CATCH_REGISTER_LISTENER(contract_listener)

}  // namespace

std::string contract_path(const std::string& target) {
  auto path = target.substr(0, target.find('?'));
  auto want = segments(path);
  std::string best;
  size_t best_templates = SIZE_MAX;
  for (const auto& [tmpl, segs] : the_contract().paths) {
    if (segs.size() != want.size()) continue;
    size_t templates = 0;
    bool match = true;
    for (size_t i = 0; i < segs.size() && match; ++i) {
      bool is_template = !segs[i].empty() && segs[i].front() == '{';
      templates += is_template;
      match = is_template ? !want[i].empty() : segs[i] == want[i];
    }
    if (match && templates < best_templates) {
      best = tmpl;
      best_templates = templates;
    }
  }
  return best;
}

std::vector<std::string> contract_violations(const std::string& method,
                                             const std::string& target, int status,
                                             const std::string& content_type,
                                             const std::string& body) {
  std::lock_guard<std::mutex> lock(g_mutex);  // yaml-cpp nodes are not thread-safe
  const auto& c = the_contract();
  auto tmpl = contract_path(target);
  if (tmpl.empty()) return {};
  const YAML::Node& doc = c.doc;
  const YAML::Node op = doc["paths"][tmpl][lower(method)];
  if (!op) return {};
  auto where = method + " " + target + " → " + std::to_string(status) + ": ";
  const YAML::Node answers = op["responses"];
  const YAML::Node answer = answers[std::to_string(status)];
  if (answer) {
    const YAML::Node content = answer["content"];
    if (!content) {
      if (!body.empty()) return {where + "the document answers no body, got " + body.substr(0, 200)};
      return {};
    }
    if (!content["application/json"]) return {};  // a stream or file: not JSON
  }
  // The schema of the body (never assigned: yaml-cpp's Node assignment
  // rebinds). Undefined when the status is neither listed nor allowed.
  const YAML::Node schema = [&]() -> YAML::Node {
    if (answer) return answer["content"]["application/json"]["schema"];
    for (const auto& e : kExtensions)
      if (method == e.method && tmpl == e.path && status == e.status)
        return c.validator->resolve(e.schema);
    if (status >= 400) return c.validator->resolve("#/components/schemas/ErrorResponse");
    return YAML::Node(YAML::NodeType::Undefined);
  }();
  if (!schema) {
    std::string listed;
    for (const auto& a : answers) listed += " " + a.first.as<std::string>();
    return {where + "not a status the document lists (" + listed + " )"};
  }
  if (lower(content_type).find("json") == std::string::npos)
    return {where + "the document answers JSON, got Content-Type " + content_type};
  auto errors = c.validator->errors_in(schema, body);
  for (auto& e : errors) e = where + e;
  return errors;
}

void record_contract(const std::string& method, const std::string& target, int status,
                     const std::string& content_type, const std::string& body) {
  auto found = contract_violations(method, target, status, content_type, body);
  if (found.empty()) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (auto& v : found) {
    std::cerr << "API contract: " << v << "\n";
    g_violations.push_back(std::move(v));
  }
}

}  // namespace fabro::testing
