// Response headers Pistache 0.0.5 lacks. Raw headers are silently dropped
// by this Pistache (toolchain notes §3), so each needs a typed class.
#pragma once

#include <string>

#include <pistache/http_header.h>

namespace fabro::http {

#define FABRO_STRING_HEADER(cls, wire_name)                            \
  class cls : public Pistache::Http::Header::Header {                 \
   public:                                                             \
    NAME(wire_name)                                                    \
    cls() = default;                                                   \
    explicit cls(std::string v) : v_(std::move(v)) {}                  \
    void parse(const std::string& s) override { v_ = s; }              \
    void write(std::ostream& os) const override { os << v_; }          \
    const std::string& value() const { return v_; }                    \
                                                                       \
   private:                                                            \
    std::string v_;                                                    \
  };

FABRO_STRING_HEADER(x_request_id, "x-request-id")
FABRO_STRING_HEADER(retry_after, "Retry-After")
FABRO_STRING_HEADER(link, "Link")

#undef FABRO_STRING_HEADER

}  // namespace fabro::http
