// A small validator of JSON values against the OpenAPI 3 schemas of a
// document loaded with yaml-cpp (issue 14's contract test: the bodies our
// server answers against Fabro's seed-era document).
//
// Supported: $ref (local "#/..." pointers), type (a name or a list, 3.1
// style), nullable (OpenAPI 3.0: "or null"), enum, const, allOf, oneOf
// (exactly one must match), anyOf, not, properties, required,
// additionalProperties (false or a schema), items, minItems, maxItems,
// minimum, maximum, minLength, maxLength, pattern, and format "date-time"
// (RFC 3339). Other keywords (description, example, discriminator, other
// formats) are ignored. Test code: not thread-safe per validator.
#pragma once

#include <string>
#include <vector>

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

namespace fabro::testing {

class json_schema_validator {
 public:
  // `document` is the whole OpenAPI document ($ref targets are looked up in it).
  explicit json_schema_validator(YAML::Node document) : doc_(std::move(document)) {}

  // What is wrong with `value` under `schema`, one line each
  // ("$.data[0].status: ..."); empty when it conforms.
  std::vector<std::string> errors(const YAML::Node& schema, simdjson::dom::element value,
                                  const std::string& path = "$") const;

  // The same for JSON text `json` (a parse failure is one error).
  std::vector<std::string> errors_in(const YAML::Node& schema, const std::string& json) const;

  // The node a "#/a/b" pointer names; an undefined node when none.
  YAML::Node resolve(const std::string& ref) const;

 private:
  void check(const YAML::Node& schema, simdjson::dom::element value, const std::string& path,
             std::vector<std::string>& out, int depth) const;

  YAML::Node doc_;
};

}  // namespace fabro::testing
