#include "model/result.hpp"

namespace fabro::model {

const char* to_string(errc code) {
  switch (code) {
    case errc::invalid_request: return "invalid_request";
    case errc::invalid_run_id: return "invalid_run_id";
    case errc::validation_failed: return "validation_failed";
    case errc::run_not_found: return "run_not_found";
    case errc::conflict: return "conflict";
    case errc::payload_too_large: return "payload_too_large";
    case errc::queue_full: return "queue_full";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::unavailable: return "unavailable";
    case errc::storage_failure: return "storage_failure";
    case errc::store_damaged: return "store_damaged";
    case errc::render_failed: return "render_failed";
    case errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace fabro::model
