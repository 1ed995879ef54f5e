#include "model/workflow/template_render.hpp"

namespace fabro::model {
namespace {

// Line and column (1-based) of byte `offset` in `text`.
diagnostic template_diag(std::string_view text, std::size_t offset, std::string message) {
  diagnostic d;
  d.rule = "template";
  d.message = std::move(message);
  d.line = 1;
  d.column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++d.line;
      d.column = 1;
    } else {
      ++d.column;
    }
  }
  return d;
}

problem template_problem(std::string_view text, std::size_t offset, std::string message) {
  problem p = make_problem(errc::validation_failed, "Validation failed");
  p.diagnostics.push_back(template_diag(text, offset, std::move(message)));
  return p;
}

std::string_view trim(std::string_view s) {
  // `-` whitespace-control markers change only layout; accept and ignore them.
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                        s.front() == '\r' || s.front() == '-'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == '-'))
    s.remove_suffix(1);
  return s;
}

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_'))
      return false;
  return !(s[0] >= '0' && s[0] <= '9');
}

// The value of expression `e`; a message when it is undefined or unsupported.
result<std::string> lookup(std::string_view e, const template_vars& vars) {
  auto fail = [](std::string m) { return make_problem(errc::validation_failed, std::move(m)); };
  if (e == "goal") {
    if (vars.keep_goal_and_raw) return std::string("{{ goal }}");
    if (vars.goal) return *vars.goal;
    return fail("undefined value 'goal' in template");
  }
  std::string_view name;
  if (e.rfind("inputs.", 0) == 0) {
    name = e.substr(7);
  } else if (e.rfind("inputs[", 0) == 0 && e.size() > 11 && e.back() == ']' &&
             (e[7] == '"' || e[7] == '\'') && e[e.size() - 2] == e[7]) {
    name = e.substr(8, e.size() - 10);
  } else if (is_name(e)) {
    return fail("undefined value '" + std::string(e) + "' in template");
  } else {
    return fail("unsupported template expression '" + std::string(e) + "'");
  }
  auto it = vars.inputs.find(std::string(name));
  if (it == vars.inputs.end()) return fail("undefined value 'inputs." + std::string(name) + "' in template");
  return it->second;
}

}  // namespace

bool has_template_syntax(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i)
    if (text[i] == '{' && (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#'))
      return true;
  return false;
}

result<std::string> render_template(std::string_view text, const template_vars& vars) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find('{', i);
    if (open == std::string_view::npos || open + 1 >= text.size()) {
      out.append(text.substr(i));
      break;
    }
    char kind = text[open + 1];
    if (kind != '{' && kind != '%' && kind != '#') {
      out.append(text.substr(i, open + 1 - i));
      i = open + 1;
      continue;
    }
    out.append(text.substr(i, open - i));
    const char* close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
    std::size_t end = text.find(close, open + 2);
    if (end == std::string_view::npos)
      return template_problem(text, open, "unterminated template block");
    std::string_view inner = trim(text.substr(open + 2, end - open - 2));
    std::size_t after = end + 2;
    if (kind == '#') {
      i = after;
      continue;
    }
    if (kind == '{') {
      auto v = lookup(inner, vars);
      if (!v) return template_problem(text, open, v.error().detail);
      out += *v;
      i = after;
      continue;
    }
    if (inner != "raw")
      return template_problem(text, open,
                              "unsupported template tag '" + std::string(inner) + "'");
    // Raw content runs to the first `{% endraw %}` (spaces inside allowed).
    // Each `{%` is checked in place (blanks, "endraw", blanks, "%}"), so the
    // scan is linear however many `{%` the raw text holds.
    std::size_t j = after;
    std::size_t raw_end = std::string_view::npos, raw_after = 0;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-'; };
    while ((j = text.find("{%", j)) != std::string_view::npos) {
      std::size_t k = j + 2;
      while (k < text.size() && blank(text[k])) ++k;
      if (text.compare(k, 6, "endraw") == 0) {
        k += 6;
        while (k < text.size() && blank(text[k])) ++k;
        if (text.compare(k, 2, "%}") == 0) {
          raw_end = j;
          raw_after = k + 2;
          break;
        }
      }
      j += 2;
    }
    if (raw_end == std::string_view::npos)
      return template_problem(text, open, "unterminated {% raw %} block");
    if (vars.keep_goal_and_raw) {
      out.append(text.substr(open, raw_after - open));
    } else {
      out.append(text.substr(after, raw_end - after));
    }
    i = raw_after;
  }
  return out;
}

}  // namespace fabro::model
