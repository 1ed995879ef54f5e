#include "model/workflow/dot_lexer.hpp"

#include <charconv>
#include <utility>

namespace fabro::model {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_bare_char(char c) { return is_ident_char(c) || c == '-' || c == '.'; }

}  // namespace

problem make_parse_problem(std::string message, source_pos pos) {
  diagnostic d;
  d.rule = "parse";
  d.level = severity::error;
  d.message = message;
  d.line = pos.line;
  d.column = pos.column;
  problem p = make_problem(errc::validation_failed, std::move(message));
  p.diagnostics.push_back(std::move(d));
  return p;
}

result<std::string> strip_comments(std::string_view source) {
  std::string out(source);
  uint32_t line = 1, column = 1;
  auto step = [&](std::size_t i) {
    if (source[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  };
  std::size_t i = 0;
  while (i < source.size()) {
    char c = source[i];
    if (c == '"') {  // copy the string verbatim, honouring \" escapes
      step(i++);
      while (i < source.size() && source[i] != '"') {
        if (source[i] == '\\' && i + 1 < source.size()) step(i++);
        step(i++);
      }
      if (i < source.size()) step(i++);
    } else if (c == '/' && i + 1 < source.size() && source[i + 1] == '/') {
      while (i < source.size() && source[i] != '\n') {
        out[i] = ' ';
        step(i++);
      }
    } else if (c == '/' && i + 1 < source.size() && source[i + 1] == '*') {
      source_pos open{line, column};
      std::size_t end = source.find("*/", i + 2);
      if (end == std::string_view::npos) {
        return make_parse_problem("unterminated block comment '/*'", open);
      }
      for (; i < end + 2; ++i) {
        if (out[i] != '\n') out[i] = ' ';
        step(i);
      }
    } else {
      step(i++);
    }
  }
  return out;
}

void dot_lexer::advance(std::size_t n) {
  for (; n > 0 && !at_end(); --n) {
    if (text_[at_.offset] == '\n') {
      ++at_.line;
      at_.column = 1;
    } else {
      ++at_.column;
    }
    ++at_.offset;
  }
}

void dot_lexer::skip_ws() {
  while (!at_end()) {
    char c = text_[at_.offset];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
    advance();
  }
}

char dot_lexer::peek(std::size_t ahead) const {
  std::size_t i = at_.offset + ahead;
  return i < text_.size() ? text_[i] : '\0';
}

bool dot_lexer::consume(std::string_view lit) {
  if (text_.substr(at_.offset, lit.size()) != lit) return false;
  advance(lit.size());
  return true;
}

bool dot_lexer::at_ident() const { return is_ident_start(peek()); }

std::optional<std::string> dot_lexer::ident() {
  if (!at_ident()) return std::nullopt;
  std::size_t n = 1;
  while (is_ident_char(peek(n))) ++n;
  std::string id(text_.substr(at_.offset, n));
  advance(n);
  return id;
}

std::optional<std::string> dot_lexer::key() {
  auto k = ident();
  if (!k) return std::nullopt;
  while (peek() == '.' && is_ident_start(peek(1))) {
    advance();
    *k += '.' + *ident();
  }
  return k;
}

problem dot_lexer::error(std::string message) const {
  return make_parse_problem(std::move(message), pos());
}
problem dot_lexer::error_at(source_pos p, std::string message) {
  return make_parse_problem(std::move(message), p);
}

result<attr_value> dot_lexer::quoted() {
  source_pos open = pos();
  advance();  // opening quote
  std::string s;
  while (!at_end() && peek() != '"') {
    char c = peek();
    if (c == '\\' && at_.offset + 1 < text_.size()) {
      char e = peek(1);
      // Only these four escapes exist; any other \x stays as written.
      if (e == '"' || e == '\\') {
        s += e;
      } else if (e == 'n') {
        s += '\n';
      } else if (e == 't') {
        s += '\t';
      } else {
        s += c;
        s += e;
      }
      advance(2);
      continue;
    }
    s += c;
    advance();
  }
  if (at_end()) return error_at(open, "unterminated string");
  advance();  // closing quote
  return attr_value::from_quoted(std::move(s));
}

std::optional<attr_value> dot_lexer::number_or_duration() {
  std::size_t start = at_.offset;
  std::size_t j = start + (peek() == '-' ? 1 : 0);
  std::size_t digits = 0;
  while (j + digits < text_.size() && is_digit(text_[j + digits])) ++digits;
  auto chars = [&](std::size_t end) { return text_.substr(start, end - start); };
  if (digits > 0) {
    for (std::string_view unit : {"ms", "s", "m", "h", "d"}) {
      std::size_t u = j + digits;
      if (text_.substr(u, unit.size()) != unit) continue;
      std::size_t after = u + unit.size();
      if (after < text_.size() && is_alnum(text_[after])) continue;
      int64_t n = 0;
      auto num = chars(u);
      if (std::from_chars(num.data(), num.data() + num.size(), n).ec !=
          std::errc()) {
        return std::nullopt;
      }
      int64_t ms = 0;
      // A duration beyond int64 milliseconds is an invalid number (found by
      // fuzzing: the multiplication overflowed).
      if (__builtin_mul_overflow(n, *duration_unit_ms(unit), &ms)) return std::nullopt;
      advance(after - start);
      return attr_value::from_duration_ms(ms);
    }
  }
  std::size_t k = j + digits;
  if (k + 1 < text_.size() && text_[k] == '.' && is_digit(text_[k + 1])) {
    ++k;
    while (k < text_.size() && is_digit(text_[k])) ++k;
    std::string num(chars(k));
    double d = 0;
    std::from_chars(num.data(), num.data() + num.size(), d);
    advance(k - start);
    return attr_value::from_float(d);
  }
  if (digits == 0) return std::nullopt;
  int64_t n = 0;
  auto num = chars(k);
  if (std::from_chars(num.data(), num.data() + num.size(), n).ec !=
      std::errc()) {
    return std::nullopt;
  }
  advance(k - start);
  return attr_value::from_int(n);
}

result<attr_value> dot_lexer::value() {
  char c = peek();
  if (c == '"') return quoted();
  if (c == '<') return error("HTML labels are not supported");
  if (is_digit(c) || c == '-' || c == '.') {
    if (auto v = number_or_duration()) return *v;
    return error("invalid number");
  }
  if (!is_ident_start(c)) return error("expected a value");
  // Bare strings (`claude-sonnet-4-5`) and identifiers are both Strings.
  std::size_t n = 1;
  while (is_bare_char(peek(n))) ++n;
  std::string word(text_.substr(at_.offset, n));
  advance(n);
  if (word == "true") return attr_value::from_bool(true);
  if (word == "false") return attr_value::from_bool(false);
  return attr_value::from_bare(std::move(word));
}

}  // namespace fabro::model
