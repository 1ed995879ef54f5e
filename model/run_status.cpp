#include "model/run_status.hpp"

namespace fabro::model {
namespace {

constexpr const char* kStatus[] = {"submitted", "queued",    "starting",  "running",
                                   "completed", "failed",    "cancelled", "paused"};
constexpr const char* kReason[] = {
    "",           "completed",       "partial_success",  "workflow_error",
    "cancelled",  "terminated",      "transient_infra",  "budget_exhausted",
    "launch_failed", "bootstrap_failed", "sandbox_init_failed", "sandbox_initializing"};
constexpr const char* kControl[] = {"", "cancel", "pause", "unpause"};

template <class E, size_t N>
std::optional<E> lookup(const char* const (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

const char* to_string(run_status s) { return kStatus[static_cast<int>(s)]; }
const char* to_string(status_reason r) { return kReason[static_cast<int>(r)]; }
const char* to_string(control_action a) { return kControl[static_cast<int>(a)]; }

std::string status_title(run_status s) {
  std::string t = to_string(s);
  t[0] = static_cast<char>(t[0] - 'a' + 'A');
  return t;
}

std::optional<run_status> parse_run_status(std::string_view s) {
  return lookup<run_status>(kStatus, s);
}
std::optional<status_reason> parse_status_reason(std::string_view s) {
  return lookup<status_reason>(kReason, s);
}
std::optional<control_action> parse_control_action(std::string_view s) {
  return lookup<control_action>(kControl, s);
}

}  // namespace fabro::model
