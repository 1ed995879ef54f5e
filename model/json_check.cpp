#include "model/json_check.hpp"

#include <simdjson.h>

namespace fabro::model {

bool is_json_object(const std::string& text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root)) return false;
  return root.type() == simdjson::dom::element_type::OBJECT;
}

}  // namespace fabro::model
