#include "model/workflow/dot_parser.hpp"

#include <string>
#include <utility>

#include "model/workflow/dot_lexer.hpp"

namespace fabro::model {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string describe(char c) {
  if (c == '\0') return "end of input";
  return std::string("'") + c + "'";
}

class parser {
 public:
  explicit parser(std::string_view text) : lx_(text) {}
  static constexpr int kMaxSubgraphDepth = 64;

  result<dot_file> file() {
    lx_.skip_ws();
    source_pos at = lx_.pos();
    auto kw = lx_.ident();
    if (!kw) return lx_.error("expected 'digraph'");
    if (*kw == "strict") {
      return lx_.error_at(at, "'strict' graphs are not supported");
    }
    if (*kw == "graph") {
      return lx_.error_at(at, "undirected 'graph' is not supported; use 'digraph'");
    }
    if (*kw != "digraph") return lx_.error_at(at, "expected 'digraph'");
    lx_.skip_ws();
    if (lx_.peek() == '"') return lx_.error("quoted graph names are not supported");
    if (lx_.peek() == '{') return lx_.error("missing graph name");
    dot_file f;
    auto name = lx_.ident();
    if (!name) return lx_.error("expected a graph name");
    f.name = std::move(*name);
    lx_.skip_ws();
    if (!lx_.consume("{")) return lx_.error("expected '{' after the graph name");
    auto body = block();
    if (!body) return body.error();
    f.stmts = std::move(*body);
    lx_.skip_ws();
    if (!lx_.at_end()) return lx_.error("unexpected trailing content");
    return f;
  }

 private:
  // Statements up to and including the closing '}'.
  result<std::vector<dot_stmt>> block() {
    std::vector<dot_stmt> out;
    for (;;) {
      lx_.skip_ws();
      if (lx_.consume("}")) return out;
      if (lx_.at_end()) return lx_.error("expected '}' before end of input");
      auto s = stmt();
      if (!s) return s.error();
      out.push_back(std::move(*s));
    }
  }

  result<dot_stmt> stmt() {
    char c = lx_.peek();
    if (c == ';') return lx_.error("unexpected ';'");
    if (c == '#') {
      return lx_.error("'#' is not a comment in .fabro files; use // or /* */");
    }
    if (!lx_.at_ident()) return bad_id("expected a statement");
    dot_stmt s;
    s.pos = lx_.pos();
    auto back = lx_.save();
    std::string word = *lx_.ident();
    lx_.skip_ws();
    if ((word == "graph" || word == "node" || word == "edge") &&
        lx_.peek() == '[') {
      s.type = word == "graph"  ? dot_stmt::kind::graph_attrs
               : word == "node" ? dot_stmt::kind::node_defaults
                                : dot_stmt::kind::edge_defaults;
      return finish(std::move(s));
    }
    if (word == "subgraph") {
      auto r = subgraph(s);
      if (!r) return r.error();
      if (*r) return s;
      lx_.restore(back);  // not a subgraph: `subgraph` is a node ID
      lx_.ident();
      lx_.skip_ws();
    }
    if (lx_.peek() == '=') return graph_decl(std::move(s), std::move(word));
    if (lx_.peek() == '.' && is_dotted_decl()) {
      return lx_.error("dotted keys are not allowed in top-level declarations");
    }
    return node_or_edge(std::move(s), std::move(word));
  }

  // Fails with a specific message for IDs outside the subset.
  problem bad_id(const char* fallback) {
    char c = lx_.peek();
    if (c == '"') return lx_.error("quoted node IDs are not supported");
    if (is_digit(c) || ((c == '-' || c == '.') && is_digit(lx_.peek(1)))) {
      return lx_.error("numeric node IDs are not supported");
    }
    if (c == '{') return lx_.error("node groups '{…}' are not supported");
    if (c == '<') return lx_.error("HTML labels are not supported");
    return lx_.error(std::string(fallback) + ", found " + describe(c));
  }

  // `.key = v` follows the identifier just read.
  bool is_dotted_decl() {
    auto back = lx_.save();
    lx_.consume(".");
    bool dotted = lx_.key().has_value();
    lx_.skip_ws();
    dotted = dotted && lx_.peek() == '=';
    lx_.restore(back);
    return dotted;
  }

  // Returns false (nothing consumed that matters) when no '{' follows.
  result<bool> subgraph(dot_stmt& s) {
    if (auto name = lx_.ident()) s.subgraph_name = std::move(*name);
    lx_.skip_ws();
    source_pos open = lx_.pos();
    if (!lx_.consume("{")) return false;
    // The parser and every walk of the tree recurse per level: bounded here,
    // so no input can run the (HTTP) thread's stack out.
    if (depth_ == kMaxSubgraphDepth)
      return lx_.error_at(open, "subgraphs nested more than " +
                                    std::to_string(kMaxSubgraphDepth) + " deep are not supported");
    ++depth_;
    auto body = block();
    --depth_;
    if (!body) return body.error();
    s.type = dot_stmt::kind::subgraph;
    s.body = std::move(*body);
    return true;  // no ';' is consumed after a subgraph's '}'
  }

  result<dot_stmt> graph_decl(dot_stmt s, std::string key) {
    lx_.consume("=");
    lx_.skip_ws();
    auto v = lx_.value();
    if (!v) return v.error();
    s.type = dot_stmt::kind::graph_decl;
    s.attrs.push_back(dot_attr{std::move(key), std::move(*v), s.pos});
    lx_.skip_ws();
    lx_.consume(";");
    return s;
  }

  result<dot_stmt> node_or_edge(dot_stmt s, std::string first) {
    s.ids.push_back(std::move(first));
    s.id_pos.push_back(s.pos);
    for (;;) {
      lx_.skip_ws();
      if (lx_.peek() == ':') return lx_.error("ports are not supported");
      if (lx_.peek() == '-' && lx_.peek(1) == '-') {
        return lx_.error("undirected edges '--' are not supported; use '->'");
      }
      if (!lx_.consume("->")) break;
      lx_.skip_ws();
      if (!lx_.at_ident()) return bad_id("expected a node ID after '->'");
      s.id_pos.push_back(lx_.pos());
      s.ids.push_back(*lx_.ident());
    }
    s.type = s.ids.size() > 1 ? dot_stmt::kind::edge_chain
                              : dot_stmt::kind::node;
    if (lx_.peek() != '[') {
      lx_.consume(";");
      return s;
    }
    return finish(std::move(s));
  }

  // attr_block ";"?  REQUIRES: the cursor is on '['.
  result<dot_stmt> finish(dot_stmt s) {
    auto attrs = attr_block();
    if (!attrs) return attrs.error();
    s.attrs = std::move(*attrs);
    lx_.skip_ws();
    lx_.consume(";");
    return s;
  }

  result<std::vector<dot_attr>> attr_block() {
    std::vector<dot_attr> out;
    lx_.consume("[");
    lx_.skip_ws();
    if (lx_.consume("]")) return out;
    for (;;) {
      lx_.skip_ws();
      if (lx_.peek() == ']' && !out.empty()) {
        return lx_.error("trailing comma in attribute list");
      }
      dot_attr a;
      a.pos = lx_.pos();
      auto k = lx_.key();
      if (!k) return lx_.error("expected an attribute name, found " +
                               describe(lx_.peek()));
      a.key = std::move(*k);
      lx_.skip_ws();
      if (!lx_.consume("=")) {
        return lx_.error("expected '=' after attribute '" + a.key + "'");
      }
      lx_.skip_ws();
      auto v = lx_.value();
      if (!v) return v.error();
      a.value = std::move(*v);
      out.push_back(std::move(a));
      if (is_ident_char(lx_.peek()) || lx_.peek() == '.') {  // e.g. 5min
        return lx_.error("unexpected " + describe(lx_.peek()) +
                         " directly after a value");
      }
      lx_.skip_ws();
      if (lx_.consume("]")) return out;
      if (lx_.consume(",")) continue;
      char c = lx_.peek();
      if (c == ';') {
        return lx_.error("';' cannot separate attributes; use ','");
      }
      if (lx_.at_ident()) {
        return lx_.error("attributes must be separated by ','");
      }
      return lx_.error("expected ',' or ']', found " + describe(c));
    }
  }

  dot_lexer lx_;
  int depth_ = 0;  // subgraphs open around the current statement
};

}  // namespace

result<dot_file> parse_dot(std::string_view source) {
  auto text = strip_comments(source);
  if (!text) return text.error();
  return parser(*text).file();
}

}  // namespace fabro::model
