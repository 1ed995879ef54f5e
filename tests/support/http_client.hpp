// A small blocking HTTP/1.1 client for end-to-end tests: one request per
// call on a fresh connection (or on a kept-alive one via http_connection).
//
// Authentication: every request carries `Authorization: Bearer
// <kTestDevToken>`, the token server_process gives every server it starts,
// unless the extra headers have their own Authorization line (any case) or
// the connection was told otherwise (set_auth, http_request_auth).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fabro::testing {

// The dev token of test servers (server_process sets FABRO_DEV_TOKEN).
constexpr const char* kTestDevToken =
    "fabro_dev_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// "Authorization: Bearer <kTestDevToken>\r\n".
std::string default_auth_header();

struct http_response {
  int status = 0;                              // 0 = no response (connection failed)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One TCP connection to 127.0.0.1:port; send() writes a request and reads
// exactly one response (Content-Length or chunked bodies).
class http_connection {
 public:
  explicit http_connection(uint16_t port);
  ~http_connection();
  bool connected() const { return fd_ >= 0; }
  // `extra_headers` are raw "Name: value\r\n" lines.
  http_response send(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& extra_headers = "");
  // True when the server has closed the connection (reads EOF).
  bool closed_by_peer();
  // Raw header lines sent for authentication with each later request, in
  // place of default_auth_header(); "" sends none.
  void set_auth(std::string raw_header_lines) { auth_ = std::move(raw_header_lines); }

 private:
  int fd_ = -1;
  std::string auth_ = default_auth_header();
  std::string buffer_;
};

// A TCP connection to 127.0.0.1:port (TCP_NODELAY), or -1.
int connect_loopback(uint16_t port);

// A request on a new connection, closed afterwards.
http_response http_request(uint16_t port, const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& extra_headers = "");

// The same with `auth_header_lines` ("" = no Authorization at all) in place
// of the default token.
http_response http_request_auth(uint16_t port, const std::string& auth_header_lines,
                                const std::string& method, const std::string& path,
                                const std::string& body = "", const std::string& extra_headers = "");

// The objects of a body that is a JSON array (GET /api/v1/runs), or of the
// top-level "data" array of a page body, as JSON texts.
std::vector<std::string> data_items(const std::string& body);

// The value of string field `key` in flat JSON text `json` ("" if absent).
// Enough for test assertions on our own compact output.
std::string json_string_field(const std::string& json, const std::string& key);

// `"key":<unsigned>` in `json`, 0 when absent or not a number.
uint64_t json_uint_field(const std::string& json, const std::string& key);

}  // namespace fabro::testing
