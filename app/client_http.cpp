#include "app/client_http.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include <simdjson.h>

namespace fabro::app {
namespace {

using model::errc;
using model::make_problem;

model::problem unreachable(const client_options& opts, const std::string& why) {
  return make_problem(errc::unavailable, "cannot reach the server at " + opts.server + ": " + why);
}

struct easy_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One prepared request: the URL, method, headers and body of a call.
struct prepared {
  std::unique_ptr<CURL, easy_deleter> easy;
  std::unique_ptr<curl_slist, slist_deleter> headers;
  std::string body;  // kept alive for CURLOPT_POSTFIELDS
  char error[CURL_ERROR_SIZE] = {0};
};

model::result<std::unique_ptr<prepared>> prepare(const client_options& opts,
                                                 const std::string& method,
                                                 const std::string& path, std::string body) {
  if (auto u = parse_server_url(opts.server); !u) return u.error();
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto p = std::make_unique<prepared>();
  p->easy.reset(curl_easy_init());
  p->body = std::move(body);
  auto base = opts.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto url = base + path;
  CURL* e = p->easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(e, CURLOPT_USERAGENT, "fabro-orchestrator-cli/0.1.0");
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_slist* h = nullptr;
  if (!opts.token.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + opts.token).c_str());
  if (method != "GET") {
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p->body.size()));
  }
  h = curl_slist_append(h, "Expect:");  // no 100-continue round trip
  p->headers.reset(h);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  return p;
}

size_t append_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

long status_of(CURL* e) {
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

// The SSE reader: splits a 200's body into lines, hands `data:` lines on;
// keeps any other answer's body for its error.
struct sse_reader {
  CURL* easy;
  const std::function<bool(const std::string&)>* on_data;
  std::string pending;  // an incomplete line
  std::string error_body;
  bool stopped = false;  // on_data said stop
};

size_t read_sse(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<sse_reader*>(user);
  auto bytes = size * n;
  if (status_of(r->easy) != 200) {
    r->error_body.append(data, bytes);
    return bytes;
  }
  r->pending.append(data, bytes);
  size_t nl;
  while ((nl = r->pending.find('\n')) != std::string::npos) {
    auto line = r->pending.substr(0, nl);
    r->pending.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("data: ", 0) == 0 && !(*r->on_data)(line.substr(6))) {
      r->stopped = true;
      return 0;  // ends the transfer
    }
  }
  return bytes;
}

}  // namespace

model::result<client_response> http_call(const client_options& opts, const std::string& method,
                                         const std::string& path, const std::string& body) {
  auto p = prepare(opts, method, path, body);
  if (!p) return p.error();
  client_response out;
  CURL* e = (*p)->easy.get();
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &out.body);
  if (auto rc = curl_easy_perform(e); rc != CURLE_OK)
    return unreachable(opts, (*p)->error[0] ? (*p)->error : curl_easy_strerror(rc));
  out.status = static_cast<int>(status_of(e));
  return out;
}

model::result<model::done> follow_sse(const client_options& opts, const std::string& path,
                                      const std::function<bool(const std::string&)>& on_data,
                                      const std::function<bool()>& stop) {
  auto p = prepare(opts, "GET", path, "");
  if (!p) return p.error();
  CURL* e = (*p)->easy.get();
  sse_reader reader{e, &on_data, {}, {}, false};
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, read_sse);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &reader);
  // A multi handle on this thread, so `stop` is looked at every 200 ms.
  CURLM* multi = curl_multi_init();
  curl_multi_add_handle(multi, e);
  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left))
      if (m->msg == CURLMSG_DONE) {
        result = m->data.result;
        done = true;
      }
    if (done || running == 0) break;
    if (stop && stop()) break;
    curl_multi_poll(multi, nullptr, 0, 200, nullptr);
  }
  curl_multi_remove_handle(multi, e);
  curl_multi_cleanup(multi);
  if (reader.stopped || (stop && stop())) return model::done{};
  auto status = status_of(e);
  if (status != 0 && status != 200)
    return make_problem(errc::unavailable,
                        error_detail(client_response{static_cast<int>(status), reader.error_body}));
  if (result != CURLE_OK && status == 0)
    return unreachable(opts, (*p)->error[0] ? (*p)->error : curl_easy_strerror(result));
  return model::done{};
}

std::string error_detail(const client_response& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view detail;
  if (!parser.parse(r.body).get(doc) && !doc["errors"].at(0)["detail"].get(detail))
    return std::string(detail) + " (HTTP " + std::to_string(r.status) + ")";
  return "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body);
}

}  // namespace fabro::app
