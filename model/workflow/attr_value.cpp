#include "model/workflow/attr_value.hpp"

#include <charconv>
#include <limits>

namespace fabro::model {

const char* to_string(attr_kind k) {
  switch (k) {
    case attr_kind::string: return "string";
    case attr_kind::integer: return "integer";
    case attr_kind::floating: return "float";
    case attr_kind::boolean: return "boolean";
    case attr_kind::duration: return "duration";
  }
  return "string";
}

attr_value attr_value::from_quoted(std::string text) {
  attr_value v;
  v.quoted_ = true;
  if (auto ms = parse_duration_text(text)) {
    v.kind_ = attr_kind::duration;
    v.int_ = *ms;
  }
  v.text_ = std::move(text);
  return v;
}

attr_value attr_value::from_bare(std::string text) {
  attr_value v;
  v.text_ = std::move(text);
  return v;
}

attr_value attr_value::from_int(int64_t x) {
  attr_value v;
  v.kind_ = attr_kind::integer;
  v.int_ = x;
  return v;
}

attr_value attr_value::from_float(double x) {
  attr_value v;
  v.kind_ = attr_kind::floating;
  v.float_ = x;
  return v;
}

attr_value attr_value::from_bool(bool x) {
  attr_value v;
  v.kind_ = attr_kind::boolean;
  v.int_ = x ? 1 : 0;
  return v;
}

attr_value attr_value::from_duration_ms(int64_t ms) {
  attr_value v;
  v.kind_ = attr_kind::duration;
  v.int_ = ms;
  return v;
}

std::optional<std::string> attr_value::as_string() const {
  if (kind_ != attr_kind::string) return std::nullopt;
  return text_;
}
std::optional<int64_t> attr_value::as_int() const {
  if (kind_ != attr_kind::integer) return std::nullopt;
  return int_;
}
std::optional<double> attr_value::as_float() const {
  if (kind_ != attr_kind::floating) return std::nullopt;
  return float_;
}
std::optional<bool> attr_value::as_bool() const {
  if (kind_ != attr_kind::boolean) return std::nullopt;
  return int_ != 0;
}
std::optional<int64_t> attr_value::as_duration_ms() const {
  if (kind_ != attr_kind::duration) return std::nullopt;
  return int_;
}

std::string attr_value::to_text() const {
  switch (kind_) {
    case attr_kind::string: return text_;
    case attr_kind::integer: return std::to_string(int_);
    case attr_kind::boolean: return int_ ? "true" : "false";
    case attr_kind::duration: return std::to_string(int_) + "ms";
    case attr_kind::floating: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, float_);
      return std::string(buf, r.ptr);
    }
  }
  return text_;
}

std::string attr_value::raw_text() const {
  if (kind_ == attr_kind::string || quoted_) return text_;
  return to_text();
}

bool operator==(const attr_value& a, const attr_value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case attr_kind::string: return a.text_ == b.text_;
    case attr_kind::floating: return a.float_ == b.float_;
    default: return a.int_ == b.int_;
  }
}

std::optional<int64_t> duration_unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return std::nullopt;
}

std::optional<int64_t> parse_duration_text(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  auto factor = duration_unit_ms(text.substr(digits));
  if (!factor) return std::nullopt;
  int64_t n = 0;
  auto r = std::from_chars(text.data(), text.data() + digits, n);
  if (r.ec != std::errc()) return std::nullopt;
  if (n > std::numeric_limits<int64_t>::max() / *factor) return std::nullopt;
  return n * *factor;
}

const attr_value* find_attr(const attr_map& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

std::optional<std::string> get_string(const attr_map& m,
                                      std::string_view key) {
  auto* v = find_attr(m, key);
  return v ? v->as_string() : std::nullopt;
}
std::optional<int64_t> get_int(const attr_map& m, std::string_view key) {
  auto* v = find_attr(m, key);
  return v ? v->as_int() : std::nullopt;
}
std::optional<double> get_float(const attr_map& m, std::string_view key) {
  auto* v = find_attr(m, key);
  return v ? v->as_float() : std::nullopt;
}
std::optional<bool> get_bool(const attr_map& m, std::string_view key) {
  auto* v = find_attr(m, key);
  return v ? v->as_bool() : std::nullopt;
}
std::optional<int64_t> get_duration_ms(const attr_map& m,
                                       std::string_view key) {
  auto* v = find_attr(m, key);
  return v ? v->as_duration_ms() : std::nullopt;
}

}  // namespace fabro::model
