// Public: model layer (installed for embedders under include/fabro/).
// Errors as values for every layer (STYLE §4).
//
// `errc` names every failure a caller can see; `problem` carries the code and
// a detail text shown to users; `result<T>` is either a value or a problem.
// Only http/error_response.cpp maps an errc to an HTTP status (STYLE §5).
// All types here are plain values: copyable, thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/diagnostic.hpp"

namespace fabro::model {

// Every failure kind that crosses a layer. Keep in sync with
// http/error_response.cpp (status mapping) and to_string() below.
enum class errc {
  invalid_request,    // malformed input (bad JSON, wrong type, bad value): 400
  invalid_run_id,     // a path id that is not a ULID: 400 "Invalid run ID."
  validation_failed,  // workflow does not parse or validate: 400 + diagnostics
  run_not_found,      // no such run: 404
  conflict,           // state forbids the request (already exists, ...): 409
  payload_too_large,  // body above the configured limit: 413
  queue_full,         // max_queued_runs reached: 429
  unauthorized,       // no or bad credentials: 401
  forbidden,          // credentials fine, access not granted: 403
  unavailable,        // an actor is gone or timed out, shutting down: 503
  storage_failure,    // the durable store cannot commit or read now (disk full,
                      // I/O error): 503 + Retry-After; nothing was applied
  store_damaged,      // a stored document or the store's schema is damaged: 500
  render_failed,      // Graphviz could not lay out or render a graph: 502
  internal,           // a bug: 500
};

// Stable snake_case name of a code (logs, tests).
const char* to_string(errc code);

// A failure: what went wrong (code) and a sentence for the user (detail).
// `diagnostics` is filled only for errc::validation_failed.
struct problem {
  errc code = errc::internal;
  std::string detail;
  std::vector<diagnostic> diagnostics;
};

inline problem make_problem(errc code, std::string detail) {
  return problem{code, std::move(detail), {}};
}

// The value of a fallible call that returns nothing.
struct done {};

// Either a T or a problem. Construct from either; test with operator bool.
// REQUIRES: value access only when ok(), error() only when !ok().
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}               // NOLINT: implicit
  result(problem error) : v_(std::move(error)) {}         // NOLINT: implicit
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const problem& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, problem> v_;
};

}  // namespace fabro::model
