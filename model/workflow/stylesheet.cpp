#include "model/workflow/stylesheet.hpp"

namespace fabro::model {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool is_class_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

problem fail(std::string detail) {
  return make_problem(errc::validation_failed, std::move(detail));
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

bool known_property(std::string_view p) {
  return p == "model" || p == "provider" || p == "reasoning_effort" ||
         p == "speed" || p == "backend";
}

}  // namespace

result<std::vector<stylesheet_rule>> parse_stylesheet(std::string_view s) {
  std::vector<stylesheet_rule> rules;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  for (skip(); i < s.size(); skip()) {
    stylesheet_rule r;
    std::size_t start = i;
    bool (*body)(char) = is_word;
    if (s[i] == '*') {
      ++i;
    } else {
      if (s[i] == '.' || s[i] == '#') {
        r.specificity = s[i] == '.' ? 2 : 3;
        if (s[i] == '.') body = is_class_char;
        ++i;
      } else {
        r.specificity = 1;
      }
      std::size_t name = i;
      while (i < s.size() && body(s[i])) ++i;
      if (i == name) return fail("invalid selector at offset " +
                                 std::to_string(start));
    }
    r.selector = std::string(s.substr(start, i - start));
    skip();
    if (i >= s.size() || s[i] != '{') {
      return fail("expected '{' after selector '" + r.selector + "'");
    }
    ++i;
    for (skip(); i < s.size() && s[i] != '}'; skip()) {
      std::size_t p = i;
      while (i < s.size() && is_word(s[i])) ++i;
      std::string prop(s.substr(p, i - p));
      if (prop.empty()) return fail("expected a property in '" + r.selector + "'");
      if (!known_property(prop)) return fail("unknown property '" + prop + "'");
      skip();
      if (i >= s.size() || s[i] != ':') {
        return fail("expected ':' after property '" + prop + "'");
      }
      std::size_t v = ++i;
      while (i < s.size() && s[i] != ';' && s[i] != '}') ++i;
      std::string value = trim(s.substr(v, i - v));
      if (value.empty()) return fail("property '" + prop + "' has no value");
      r.properties.emplace_back(std::move(prop), std::move(value));
      if (i < s.size() && s[i] == ';') ++i;
    }
    if (i >= s.size()) return fail("missing '}' after rule '" + r.selector + "'");
    ++i;
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace fabro::model
