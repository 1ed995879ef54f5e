// Public: model layer (installed for embedders under include/fabro/).
// A small streaming JSON writer: builds compact JSON text into a string.
//
// Why not a DOM: responses are small and fixed-shape; writing them directly is
// faster and allocation-light. The caller is responsible for well-formed
// nesting (begin/end pairs, key before each value inside an object); commas
// are inserted automatically. Not thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fabro::model {

// Appends `text` to `out` as a JSON string literal (quotes included),
// escaping control characters, quotes and backslashes. Invalid UTF-8 bytes
// are passed through unchanged.
void append_json_string(std::string& out, std::string_view text);

class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  // Next value's key. REQUIRES: inside an object.
  json_writer& key(std::string_view k);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view{s}); }
  json_writer& value(const std::string& s) { return value(std::string_view{s}); }
  json_writer& value(int64_t n);
  json_writer& value(uint64_t n);
  json_writer& value(int n) { return value(static_cast<int64_t>(n)); }
  json_writer& value(double d);
  json_writer& value(bool b);
  json_writer& null();
  // Inserts already-serialized JSON as one value. REQUIRES: `json` is valid.
  json_writer& raw(std::string_view json);

  // Shorthands for key + value.
  template <class T>
  json_writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  json_writer& field_null(std::string_view k) { key(k); return null(); }
  json_writer& field_raw(std::string_view k, std::string_view json) {
    key(k);
    return raw(json);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace fabro::model
