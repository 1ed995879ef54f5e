#include "http/error_response.hpp"

#include "model/json_writer.hpp"

namespace fabro::http {

using Pistache::Http::Code;

Code status_of(model::errc code) {
  switch (code) {
    case model::errc::invalid_request:
    case model::errc::invalid_run_id:
    case model::errc::validation_failed: return Code::Bad_Request;
    case model::errc::run_not_found: return Code::Not_Found;
    case model::errc::conflict: return Code::Conflict;
    case model::errc::payload_too_large: return Code::Request_Entity_Too_Large;
    case model::errc::queue_full: return Code::Too_Many_Requests;
    case model::errc::unauthorized: return Code::Unauthorized;
    case model::errc::forbidden: return Code::Forbidden;
    case model::errc::unavailable:
    case model::errc::storage_failure: return Code::Service_Unavailable;
    case model::errc::render_failed: return Code::Bad_Gateway;
    case model::errc::store_damaged:
    case model::errc::internal: return Code::Internal_Server_Error;
  }
  return Code::Internal_Server_Error;
}

int retry_after_of(model::errc code) {
  // The queue drains as runs finish; one second is a polite first retry.
  if (code == model::errc::queue_full) return 1;
  // A full or failing disk is an operator's matter: retry in a few seconds.
  if (code == model::errc::storage_failure) return 2;
  return 0;
}

std::string title_of(Code code) {
  switch (code) {
    case Code::Request_Entity_Too_Large: return "Payload Too Large";
    default: return Pistache::Http::codeString(code);
  }
}

std::string error_body(Code code, const std::string& detail, const std::string& request_id,
                       const std::vector<model::diagnostic>& diagnostics) {
  model::json_writer w;
  w.begin_object().key("errors").begin_array().begin_object();
  w.field("status", std::to_string(static_cast<int>(code)))
      .field("title", title_of(code))
      .field("detail", detail)
      .field("request_id", request_id);
  if (!diagnostics.empty()) {
    w.key("diagnostics").begin_array();
    for (const auto& d : diagnostics) {
      w.begin_object()
          .field("rule", d.rule)
          .field("severity", model::to_string(d.level))
          .field("message", d.message);
      if (!d.node_id.empty()) w.field("node_id", d.node_id);
      if (!d.edge_from.empty()) {
        w.key("edge").begin_object().field("from", d.edge_from).field("to", d.edge_to).end_object();
      }
      if (d.line > 0) w.field("line", static_cast<uint64_t>(d.line)).field("column", static_cast<uint64_t>(d.column));
      w.end_object();
    }
    w.end_array();
  }
  w.end_object().end_array().field("request_id", request_id).end_object();
  return w.take();
}

}  // namespace fabro::http
