// The HTTP client of the CLI commands, on libcurl (any framing: chunked
// bodies are decoded): blocking, one connection per call, to the server URL.
// Also reads Server-Sent Events line by line for `submit --follow`. Used on
// the CLI's own thread only.
#pragma once

#include <functional>
#include <string>

#include "app/client_options.hpp"
#include "model/result.hpp"

namespace fabro::app {

struct client_response {
  int status = 0;
  std::string body;
};

// Sends one request. Fails with errc::unavailable ("cannot reach the server
// at URL: …") when no connection or no answer.
model::result<client_response> http_call(const client_options& opts, const std::string& method,
                                         const std::string& path, const std::string& body = "");

// Opens an SSE stream at `path` and calls on_data(json) for each `data:`
// line until on_data returns false, the server closes the stream, or
// `stop()` becomes true (checked between reads, at least every 200 ms).
// Fails like http_call, or with the server's error when the answer is not
// 200.
model::result<model::done> follow_sse(const client_options& opts, const std::string& path,
                                      const std::function<bool(const std::string&)>& on_data,
                                      const std::function<bool()>& stop);

// The `detail` of a Fabro error body, or the body itself.
std::string error_detail(const client_response& r);

}  // namespace fabro::app
