#include "http/openapi.hpp"

namespace fabro::http {

std::vector<route> openapi_routes() {
  return {
      {"GET", "/api/v1/openapi.json",
       [](const route_context&, const Pistache::Rest::Request&, reply_ptr rep) {
         rep->send_json(Pistache::Http::Code::Ok, std::string(openapi_document()));
       },
       route_access::open},
  };
}

std::string openapi_path(std::string_view pistache_path) {
  std::string out;
  out.reserve(pistache_path.size() + 4);
  for (size_t i = 0; i < pistache_path.size();) {
    if (pistache_path[i] == ':' && (i == 0 || pistache_path[i - 1] == '/')) {
      auto end = pistache_path.find('/', i);
      if (end == std::string_view::npos) end = pistache_path.size();
      out += '{';
      out += pistache_path.substr(i + 1, end - i - 1);
      out += '}';
      i = end;
    } else {
      out += pistache_path[i++];
    }
  }
  return out;
}

}  // namespace fabro::http
