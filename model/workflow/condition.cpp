#include "model/workflow/condition.hpp"

#include <re2/re2.h>
#include <simdjson.h>

#include <charconv>
#include <optional>
#include <utility>

namespace fabro::model {
namespace {

struct token {
  bool is_op = false;
  bool quoted = false;
  std::string text;
};

bool is_op_char(char c) {
  return c == '=' || c == '!' || c == '>' || c == '<' || c == '&' || c == '|';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

problem condition_problem(std::string detail) {
  return make_problem(errc::validation_failed, std::move(detail));
}

result<std::vector<token>> tokenize(std::string_view s) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '"') {
      std::string w;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size() &&
            (s[i + 1] == '"' || s[i + 1] == '\\')) {
          ++i;
        }
        w += s[i++];
      }
      if (i >= s.size()) return condition_problem("unterminated quoted value");
      ++i;
      out.push_back({false, true, std::move(w)});
    } else if (is_op_char(c)) {
      std::string_view two = s.substr(i, 2);
      if (two == "!=" || two == ">=" || two == "<=" || two == "&&" ||
          two == "||") {
        out.push_back({true, false, std::string(two)});
        i += 2;
      } else if (c == '&' || c == '|') {
        return condition_problem(std::string("unexpected '") + c +
                                 "'; use '&&' or '||'");
      } else {
        out.push_back({true, false, std::string(1, c)});
        ++i;
      }
    } else {
      std::size_t j = i;
      while (j < s.size() && !is_space(s[j]) && !is_op_char(s[j]) &&
             s[j] != '"') {
        ++j;
      }
      out.push_back({false, false, std::string(s.substr(i, j - i))});
      i = j;
    }
  }
  return out;
}

std::optional<condition_op> comparison(const token& t) {
  if (t.is_op) {
    if (t.text == "=") return condition_op::eq;
    if (t.text == "!=") return condition_op::ne;
    if (t.text == ">") return condition_op::gt;
    if (t.text == "<") return condition_op::lt;
    if (t.text == ">=") return condition_op::ge;
    if (t.text == "<=") return condition_op::le;
    return std::nullopt;
  }
  if (t.quoted) return std::nullopt;
  if (t.text == "contains") return condition_op::contains;
  if (t.text == "matches") return condition_op::matches;
  return std::nullopt;
}

class parser {
 public:
  explicit parser(std::vector<token> t) : t_(std::move(t)) {}

  result<condition_expr> expr() {
    condition_expr e;
    if (t_.empty()) return e;
    for (;;) {
      auto group = conjunction();
      if (!group) return group.error();
      e.any_of.push_back(std::move(*group));
      if (at_end()) return e;
      if (!take_op("||")) return unexpected();
    }
  }

 private:
  bool at_end() const { return i_ >= t_.size(); }
  bool take_op(std::string_view op) {
    if (at_end() || !t_[i_].is_op || t_[i_].text != op) return false;
    ++i_;
    return true;
  }
  problem unexpected() const {
    return condition_problem("unexpected '" + t_[i_].text + "'");
  }

  result<std::vector<condition_clause>> conjunction() {
    std::vector<condition_clause> out;
    for (;;) {
      auto c = clause();
      if (!c) return c.error();
      out.push_back(std::move(*c));
      if (!take_op("&&")) return out;
    }
  }

  result<condition_clause> clause() {
    condition_clause c;
    while (take_op("!")) c.negated = !c.negated;
    if (at_end()) return condition_problem("expected a condition at the end");
    if (t_[i_].is_op) {
      return condition_problem("expected a key, found '" + t_[i_].text + "'");
    }
    c.key = t_[i_++].text;
    if (at_end()) return c;
    auto op = comparison(t_[i_]);
    if (!op) return c;  // bare truthiness test
    std::string op_text = t_[i_++].text;
    c.op = *op;
    bool has_value = !at_end() && !t_[i_].is_op;
    if (!has_value) {
      if (c.op != condition_op::eq && c.op != condition_op::ne) {
        return condition_problem("expected a value after '" + op_text + "'");
      }
      return c;  // `key=` compares with ""
    }
    c.value = t_[i_++].text;
    if (c.op == condition_op::matches) {
      auto re = std::make_shared<re2::RE2>(c.value, re2::RE2::Quiet);
      if (!re->ok()) {
        return condition_problem("invalid regex '" + c.value +
                                 "': " + re->error());
      }
      c.regex = std::move(re);
    }
    return c;
  }

  std::vector<token> t_;
  std::size_t i_ = 0;
};

std::optional<double> to_number(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return d;
}

// Membership test when `raw` is a JSON array; nothing when it is not one.
std::optional<bool> array_contains(const std::string& raw,
                                   const std::string& needle) {
  auto first = raw.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || raw[first] != '[') return std::nullopt;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(raw).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::array arr;
  if (doc.get_array().get(arr) != simdjson::SUCCESS) return std::nullopt;
  for (auto el : arr) {
    std::string_view sv;
    std::string text = el.get_string().get(sv) == simdjson::SUCCESS
                           ? std::string(sv)
                           : simdjson::minify(el);
    if (text == needle) return true;
  }
  return false;
}

bool clause_holds(const condition_clause& c, const condition_context& ctx) {
  std::string v = resolve_condition_key(c.key, ctx);
  switch (c.op) {
    case condition_op::truthy: return !v.empty() && v != "false" && v != "0";
    case condition_op::eq: return v == c.value;
    case condition_op::ne: return v != c.value;
    case condition_op::contains: {
      if (auto in = array_contains(v, c.value)) return *in;
      return v.find(c.value) != std::string::npos;
    }
    case condition_op::matches:
      return c.regex && re2::RE2::PartialMatch(v, *c.regex);
    default: break;
  }
  auto a = to_number(v), b = to_number(c.value);
  if (!a || !b) return false;  // fail closed
  switch (c.op) {
    case condition_op::gt: return *a > *b;
    case condition_op::lt: return *a < *b;
    case condition_op::ge: return *a >= *b;
    case condition_op::le: return *a <= *b;
    default: return false;
  }
}

}  // namespace

result<condition_expr> parse_condition(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  return parser(std::move(*tokens)).expr();
}

std::string resolve_condition_key(std::string_view key,
                                  const condition_context& ctx) {
  if (key == "outcome") return ctx.outcome;
  if (key == "preferred_label") return ctx.preferred_label;
  auto it = ctx.values.find(key);
  if (it != ctx.values.end()) return it->second;
  if (key.substr(0, 8) == "context.") {
    it = ctx.values.find(key.substr(8));
    if (it != ctx.values.end()) return it->second;
  }
  return "";
}

bool evaluate(const condition_expr& expr, const condition_context& ctx) {
  if (expr.any_of.empty()) return true;
  for (const auto& group : expr.any_of) {
    bool all = true;
    for (const auto& c : group) {
      if (clause_holds(c, ctx) == c.negated) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool evaluate_condition(std::string_view text, const condition_context& ctx) {
  auto expr = parse_condition(text);
  return expr && evaluate(*expr, ctx);
}

bool has_outcome_clause(const condition_expr& expr,
                        std::vector<std::string>* out) {
  bool found = false;
  for (const auto& group : expr.any_of) {
    for (const auto& c : group) {
      if (c.key == "outcome" && c.op == condition_op::eq) {
        found = true;
        if (out) out->push_back(c.value);
      }
    }
  }
  return found;
}

}  // namespace fabro::model
