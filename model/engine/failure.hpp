// Failure classes and signatures (reference §3.4): how the circuit breaker
// recognizes the same failure repeating. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fabro::model {

// Keyword classification of a failure message, case-insensitive:
// "canceled" (cancel, interrupt), "transient_infra" (timeout, timed out,
// rate limit, connection refused/reset, 5xx, ...), "budget_exhausted"
// (turn/token limit, context length, budget, quota exceeded, max tokens),
// "structural" (scope violation), else "deterministic".
std::string classify_failure(std::string_view message);

// Whether failures of `failure_class` feed the circuit breaker
// (deterministic and structural do).
bool counts_for_circuit_breaker(std::string_view failure_class);

// "<node_id>|<class>|<normalized reason>": reason trimmed and lowercased,
// hex runs of 7-64 chars → <hex>, digit runs → <n>, ", " → ",", whitespace
// collapsed, truncated to 240 bytes.
std::string failure_signature(std::string_view node_id, std::string_view failure_class,
                              std::string_view reason);

}  // namespace fabro::model
