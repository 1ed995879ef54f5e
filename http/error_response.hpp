// The one place where a problem becomes an HTTP status and body (STYLE §5).
// Body shape: Fabro's ErrorResponse, plus request_id at top level and in the
// entry, plus `diagnostics` for validation failures (DESIGN §4.8):
//   {"errors":[{"status":"404","title":"Not Found","detail":"Run not found.",
//               "request_id":"…"}],"request_id":"…"}
#pragma once

#include <string>

#include <pistache/http_defs.h>

#include "model/result.hpp"

namespace fabro::http {

Pistache::Http::Code status_of(model::errc code);

// Seconds a client should wait before retrying a request that failed with
// `code` (the Retry-After header of a 429 or a storage 503), or 0 when no
// header is sent.
int retry_after_of(model::errc code);

// The canonical reason phrase of `code` ("Bad Request", ...).
std::string title_of(Pistache::Http::Code code);

std::string error_body(Pistache::Http::Code code, const std::string& detail,
                       const std::string& request_id,
                       const std::vector<model::diagnostic>& diagnostics = {});

}  // namespace fabro::http
