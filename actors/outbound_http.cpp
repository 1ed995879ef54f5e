#include "actors/outbound_http.hpp"

#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <curl/curl.h>

namespace fabro::actors {

namespace {

constexpr size_t kErrorBodyLimit = 64 * 1024;

struct transfer {
  uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  model::llm::http_request request;
  outbound_http::limits limits;
  outbound_http::callbacks cb;
  outbound_http::ending end;
  char error[CURL_ERROR_SIZE] = {0};

  ~transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

long status_of(transfer* t) {
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  auto bytes = size * n;
  if (status_of(t) == 200) {
    if (t->cb.on_data) t->cb.on_data(std::string_view(data, bytes));
  } else if (t->end.error_body.size() < kErrorBodyLimit) {
    t->end.error_body.append(data, std::min(bytes, kErrorBodyLimit - t->end.error_body.size()));
  }
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool match = true;
    for (size_t i = 0; i < name.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    if (match) {
      auto v = line.substr(name.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
        v.remove_suffix(1);
      t->end.retry_after = std::string(v);
    }
  }
  return size * n;
}

}  // namespace

struct outbound_http::impl {
  CURLM* multi = nullptr;
  std::mutex m;
  std::deque<std::unique_ptr<transfer>> to_add;  // guarded by m
  std::deque<uint64_t> to_cancel;                // guarded by m
  bool stopping = false;                         // guarded by m
  std::atomic<uint64_t> next_id{0};
  std::map<uint64_t, std::unique_ptr<transfer>> running;  // I/O thread only
  std::thread thread;

  void add(std::unique_ptr<transfer> t) {
    t->easy = curl_easy_init();
    for (const auto& h : t->request.headers) t->headers = curl_slist_append(t->headers, h.c_str());
    curl_easy_setopt(t->easy, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t->request.body.size()));
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t->limits.connect_timeout_ms));
    if (t->limits.timeout_ms > 0)
      curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, static_cast<long>(t->limits.timeout_ms));
    curl_multi_add_handle(multi, t->easy);
    auto id = t->id;
    running.emplace(id, std::move(t));
  }

  void remove(uint64_t id) {
    auto it = running.find(id);
    if (it == running.end()) return;
    curl_multi_remove_handle(multi, it->second->easy);
    running.erase(it);
  }

  void loop() {
    for (;;) {
      std::deque<std::unique_ptr<transfer>> adds;
      std::deque<uint64_t> cancels;
      {
        std::lock_guard<std::mutex> g(m);
        if (stopping) break;
        adds.swap(to_add);
        cancels.swap(to_cancel);
      }
      for (auto& t : adds) add(std::move(t));
      for (auto id : cancels) remove(id);
      int still = 0;
      curl_multi_perform(multi, &still);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        auto end = std::move(t->end);
        if (msg->data.result == CURLE_OK) {
          end.status = status_of(t);
        } else {
          end.transport_error = t->error[0] ? std::string(t->error)
                                            : std::string(curl_easy_strerror(msg->data.result));
        }
        auto done = std::move(t->cb.on_done);
        remove(t->id);
        if (done) done(std::move(end));
      }
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    for (auto& [id, t] : running) curl_multi_remove_handle(multi, t->easy);
    running.clear();
  }
};

std::shared_ptr<outbound_http> outbound_http::start() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::shared_ptr<outbound_http> out(new outbound_http());
  out->impl_->multi = curl_multi_init();
  out->impl_->thread = std::thread([i = out->impl_.get()] { i->loop(); });
  return out;
}

outbound_http::outbound_http() : impl_(std::make_unique<impl>()) {}

outbound_http::~outbound_http() {
  {
    std::lock_guard<std::mutex> g(impl_->m);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi);
  if (impl_->thread.joinable()) impl_->thread.join();
  curl_multi_cleanup(impl_->multi);
}

uint64_t outbound_http::fetch(model::llm::http_request request, limits l, callbacks cb) {
  auto t = std::make_unique<transfer>();
  t->id = ++impl_->next_id;
  t->request = std::move(request);
  t->limits = l;
  t->cb = std::move(cb);
  auto id = t->id;
  {
    std::lock_guard<std::mutex> g(impl_->m);
    impl_->to_add.push_back(std::move(t));
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void outbound_http::cancel(uint64_t id) {
  {
    std::lock_guard<std::mutex> g(impl_->m);
    impl_->to_cancel.push_back(id);
  }
  curl_multi_wakeup(impl_->multi);
}

}  // namespace fabro::actors
