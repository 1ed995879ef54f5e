// Public: model layer (installed for embedders under include/fabro/).
// A typed attribute value of the .fabro language (reference §1.2).
//
// Every attribute of a graph, node or edge is one of String, Integer, Float,
// Boolean or Duration, decided by the *lexical form* of the value, never by
// the attribute it is assigned to. That reproduces Fabro's quirks exactly:
//   - `timeout="900s"` and `timeout=900s` are both durations (900000 ms);
//   - `label="5m"` is a duration too, so a string lookup of that label fails;
//   - `goal_gate="true"` and `max_retries="5"` stay strings, so the boolean
//     and integer lookups below ignore them.
// Typed lookups (`get_bool`, `get_int`, ...) return nothing on a type
// mismatch; callers then apply their documented default.
//
// Plain values, immutable once built; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fabro::model {

enum class attr_kind { string, integer, floating, boolean, duration };

// Lower-case kind name: "string", "integer", "float", "boolean", "duration".
const char* to_string(attr_kind k);

class attr_value {
 public:
  attr_value() = default;  // the empty string

  // A quoted string (escapes already resolved). Becomes a Duration when the
  // whole text matches ^\d+(ms|s|m|h|d)$, a String otherwise.
  static attr_value from_quoted(std::string text);
  // A bare string or identifier (`LR`, `claude-sonnet-4-5`): always a String.
  static attr_value from_bare(std::string text);
  static attr_value from_int(int64_t v);
  static attr_value from_float(double v);
  static attr_value from_bool(bool v);
  static attr_value from_duration_ms(int64_t ms);

  attr_kind kind() const { return kind_; }
  // Whether the value was written in quotes in the source (diagnostics only).
  bool quoted() const { return quoted_; }

  // Typed views: nothing when the kind differs (no conversion, ever).
  std::optional<std::string> as_string() const;
  std::optional<int64_t> as_int() const;
  std::optional<double> as_float() const;
  std::optional<bool> as_bool() const;
  std::optional<int64_t> as_duration_ms() const;

  // The string form used when attributes are mirrored into the run context
  // (`graph.<attr>`) and when any value must be shown: strings as-is,
  // integers in decimal, booleans `true`/`false`, durations as "<n>ms",
  // floats in shortest round-trip form.
  std::string to_text() const;

  // The text as written, for quoted strings and bare words; to_text() else.
  // Lets rules such as type_known inspect a value of any kind.
  std::string raw_text() const;

  friend bool operator==(const attr_value& a, const attr_value& b);
  friend bool operator!=(const attr_value& a, const attr_value& b) {
    return !(a == b);
  }

 private:
  attr_kind kind_ = attr_kind::string;
  bool quoted_ = false;
  std::string text_;    // string kind; original text for quoted durations
  int64_t int_ = 0;     // integer, boolean (0/1) or duration (ms)
  double float_ = 0.0;  // floating
};

// Duration unit → milliseconds factor; nothing for an unknown unit.
// Units: ms, s, m, h, d.
std::optional<int64_t> duration_unit_ms(std::string_view unit);

// Parses ^\d+(ms|s|m|h|d)$ (no sign) into milliseconds; nothing otherwise or
// on overflow. This is the rule that turns quoted strings into durations.
std::optional<int64_t> parse_duration_text(std::string_view text);

// Attribute storage of one graph, node or edge, ordered by key so that
// iteration (e.g. context mirroring) is deterministic.
using attr_map = std::map<std::string, attr_value, std::less<>>;

// Typed lookups in an attribute map: nothing if the key is absent *or* holds
// a value of another kind (Fabro's silent type mismatch).
std::optional<std::string> get_string(const attr_map& m, std::string_view key);
std::optional<int64_t> get_int(const attr_map& m, std::string_view key);
std::optional<double> get_float(const attr_map& m, std::string_view key);
std::optional<bool> get_bool(const attr_map& m, std::string_view key);
std::optional<int64_t> get_duration_ms(const attr_map& m,
                                       std::string_view key);
// The raw value, any kind; nullptr when absent.
const attr_value* find_attr(const attr_map& m, std::string_view key);

}  // namespace fabro::model
