#include "store/label_codec.hpp"

#include <simdjson.h>

#include "model/json_writer.hpp"

namespace fabro::store {

std::string encode_labels(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "";
  model::json_writer w;
  w.begin_object();
  for (const auto& [k, v] : labels) w.field(k, v);
  w.end_object();
  return w.take();
}

std::map<std::string, std::string> decode_labels(const std::string& json) {
  std::map<std::string, std::string> out;
  if (json.empty()) return out;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json).get(obj)) return out;
  for (auto field : obj) {
    std::string_view v;
    if (!field.value.get(v)) out[std::string(field.key)] = std::string(v);
  }
  return out;
}

}  // namespace fabro::store
