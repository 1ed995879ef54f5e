#include "model/json_writer.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

TEST_CASE("the JSON writer places commas and escapes strings", "[model]") {
  json_writer w;
  w.begin_object()
      .field("a", "x\"y\\z\n")
      .field("n", int64_t{-3})
      .field("b", true)
      .field_null("z")
      .key("arr").begin_array().value(1).value("\x01").begin_object().end_object().end_array()
      .end_object();
  CHECK(w.str() ==
        R"({"a":"x\"y\\z\n","n":-3,"b":true,"z":null,"arr":[1,"\u0001",{}]})");
}

namespace {

// The escaping rules spelled out one character at a time.
std::string reference_escape(const std::string& text) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\b') out += "\\b";
    else if (c == '\f') out += "\\f";
    else if (c < 0x20) out += std::string("\\u00") + hex[c >> 4] + hex[c & 0xF];
    else out.push_back(static_cast<char>(c));
  }
  return out + "\"";
}

}  // namespace

TEST_CASE("strings are escaped byte for byte as the rules say, whatever the runs between escapes",
          "[model]") {
  std::string every;
  for (int c = 0; c < 256; ++c) every.push_back(static_cast<char>(c));
  for (const std::string& text :
       {std::string(), std::string("plain text"), std::string("\"") , std::string("a\\"),
        std::string("\n\n"), std::string("end\x01"), every, every + "tail" + every,
        std::string(1000, 'x') + "\"" + std::string(1000, 'y')}) {
    std::string out;
    fabro::model::append_json_string(out, text);
    CHECK(out == reference_escape(text));
    std::string prefixed = "[";
    fabro::model::append_json_string(prefixed, text);
    CHECK(prefixed == "[" + reference_escape(text));
  }
}
