// GET /health: liveness and version, no authentication.
#include "http/route.hpp"
#include "model/json_writer.hpp"

namespace fabro::http {

std::vector<route> system_routes() {
  return {
      {"GET", "/health",
       [](const route_context& ctx, const Pistache::Rest::Request&, reply_ptr rep) {
         model::json_writer w;
         w.begin_object().field("status", "ok").field("version", ctx.cfg.version).end_object();
         rep->send_json(Pistache::Http::Code::Ok, w.str());
       },
       route_access::open},
  };
}

}  // namespace fabro::http
