// The OpenAPI 3.1 document of this server (openapi/openapi.json) and the
// route that serves it.
//
// The document is a file in the repository; CMakeLists.txt embeds it into
// fabro_http at build time (generated openapi_document.cpp), so the binary
// serves exactly the text that is reviewed. tests/http/openapi_test.cpp
// checks that every route of api::routes() is documented and every
// documented operation is served: whoever adds a route documents it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/route.hpp"

namespace fabro::http {

// The embedded document, verbatim. Immutable; valid for the whole program.
std::string_view openapi_document();

// GET /api/v1/openapi.json: the document, 200 application/json, open to
// everyone (like Fabro's). Installed by api::routes().
std::vector<route> openapi_routes();

// The OpenAPI spelling of a Pistache path: "/api/v1/runs/:id" →
// "/api/v1/runs/{id}". Pure.
std::string openapi_path(std::string_view pistache_path);

}  // namespace fabro::http
