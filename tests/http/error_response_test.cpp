// Every problem code maps to the status the README and OpenAPI document
// promise (http/error_response.hpp is the one place this happens).
#include <catch2/catch.hpp>

#include "http/error_response.hpp"

using fabro::model::errc;
using Pistache::Http::Code;

TEST_CASE("each problem code answers its documented HTTP status", "[http]") {
  using fabro::http::status_of;
  CHECK(status_of(errc::invalid_request) == Code::Bad_Request);
  CHECK(status_of(errc::invalid_run_id) == Code::Bad_Request);
  CHECK(status_of(errc::run_not_found) == Code::Not_Found);
  CHECK(status_of(errc::conflict) == Code::Conflict);
  CHECK(status_of(errc::storage_failure) == Code::Service_Unavailable);
  CHECK(status_of(errc::unavailable) == Code::Service_Unavailable);
  CHECK(status_of(errc::store_damaged) == Code::Internal_Server_Error);
  CHECK(status_of(errc::render_failed) == Code::Bad_Gateway);
  CHECK(status_of(errc::internal) == Code::Internal_Server_Error);
}
