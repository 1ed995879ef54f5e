#include "model/workflow/dot_writer.hpp"

#include <cmath>
#include <cstdio>

namespace fabro::model {
namespace {

void quote(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void value(std::string& out, const attr_value& v) {
  switch (v.kind()) {
    case attr_kind::string: return quote(out, *v.as_string());
    case attr_kind::integer: out += std::to_string(*v.as_int()); return;
    case attr_kind::boolean: out += *v.as_bool() ? "true" : "false"; return;
    case attr_kind::duration: out += std::to_string(*v.as_duration_ms()) + "ms"; return;
    case attr_kind::floating: {
      // The lexer reads only plain decimals (no exponent), so print fixed.
      double d = *v.as_float();
      if (!std::isfinite(d)) return quote(out, v.to_text());
      char buf[512];
      std::snprintf(buf, sizeof buf, "%.17f", d);
      std::string s = buf;
      while (s.size() > 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
      out += s;
      return;
    }
  }
}

// ` [k=v, …]` of `attrs`, `class` replaced by `classes` when given.
void attr_list(std::string& out, const attr_map& attrs, const std::vector<std::string>* classes) {
  std::string body;
  for (const auto& [k, v] : attrs) {
    if (classes && k == "class") continue;
    if (!body.empty()) body += ", ";
    body += k + "=";
    value(body, v);
  }
  if (classes && !classes->empty()) {
    std::string joined;
    for (const auto& c : *classes) joined += (joined.empty() ? "" : ",") + c;
    if (!body.empty()) body += ", ";
    body += "class=";
    quote(body, joined);
  }
  if (!body.empty()) out += " [" + body + "]";
}

}  // namespace

std::string write_dot(const workflow_graph& g) {
  std::string out = "digraph ";
  if (!g.name.empty()) out += g.name + " ";
  out += "{\n";
  if (!g.attrs.empty()) {
    out += "  graph";
    attr_list(out, g.attrs, nullptr);
    out += "\n";
  }
  for (const auto& n : g.nodes()) {
    if (n.id == "graph" || n.id == "node" || n.id == "edge") {
      // `node [..]` would be a defaults block: give a keyword-named node its
      // attributes as defaults scoped to an anonymous subgraph instead.
      std::string defaults;
      attr_list(defaults, n.attrs, &n.classes);
      if (!defaults.empty()) defaults = " node" + defaults;
      out += "  subgraph {" + defaults + " " + n.id + " }\n";
      continue;
    }
    out += "  " + n.id;
    attr_list(out, n.attrs, &n.classes);
    out += "\n";
  }
  for (const auto& e : g.edges()) {
    out += "  " + e.from + " -> " + e.to;
    attr_list(out, e.attrs, nullptr);
    out += "\n";
  }
  out += "}\n";
  return out;
}

}  // namespace fabro::model
