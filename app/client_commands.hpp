// The CLI client commands of the binary (issue 6): submit, status, list,
// cancel, pause, unpause, events. Each returns the process exit code and
// prints server errors as one readable line on stderr.
#pragma once

#include <string>
#include <vector>

#include "app/client_http.hpp"
#include "app/manifest_builder.hpp"

namespace fabro::app {

struct submit_options {
  manifest_options manifest;
  bool no_start = false;  // --no-start: create only (status submitted)
  bool follow = false;    // --follow: stream progress until the run ends
};

// Exit codes: 0 success (with --follow: the run completed); 1 the run
// failed or was cancelled, or the server refused; 2 bad input; 3 the server
// cannot be reached; 130 interrupted without cancelling.
int submit_command(const client_options& client, const submit_options& opts);
int status_command(const client_options& client, const std::string& id);
int list_command(const client_options& client);
// action: "cancel", "pause" or "unpause".
int control_command(const client_options& client, const std::string& action,
                    const std::string& id);
int events_command(const client_options& client, const std::string& id);

// One line for a progress event of `submit --follow`, or "" to print
// nothing (pure; tested). `envelope` is the event's JSON.
std::string progress_line(const std::string& envelope);

}  // namespace fabro::app
