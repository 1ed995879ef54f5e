#include "app/bench/load_loop.hpp"

#include "model/bench/http_response_parser.hpp"
#include "model/bench/open_loop_schedule.hpp"

#include <simdjson.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

namespace fabro::app {
namespace {

constexpr uint64_t kMs = 1000000;
constexpr uint64_t kReopenDelay = 50 * kMs;     // after a failed connection
constexpr uint64_t kHousekeeping = 100 * kMs;   // timeouts, stop flag, progress
constexpr uint64_t kGiveUp = 3000 * kMs;        // nothing but connect errors this long
constexpr size_t kExamples = 5;

enum class conn_state { closed, connecting, idle, busy };

struct connection {
  int fd = -1;
  conn_state state = conn_state::closed;
  bool has_request = false;  // an attempt is under way (connecting or busy)
  bool want_out = false;     // EPOLLOUT is in the interest set
  size_t written = 0;
  uint64_t start_ns = 0;     // latency origin: the send, or the due time
  uint64_t sent_ns = 0;      // when the attempt began (timeout origin)
  uint64_t reopen_at = 0;    // closed: not before
  model::http_response_parser parser{4096};
};

enum class failure { connect, read, write, timeout, parse };

// One load thread: its connections, epoll set, timer and counts.
class worker {
 public:
  worker(const load_config& cfg, size_t index, uint64_t connections, uint64_t start_ns,
         const std::atomic<bool>& stop, load_progress& progress)
      : cfg_(cfg), index_(index), conns_(connections), start_ns_(start_ns), stop_(stop),
        progress_(progress),
        schedule_(cfg.rate > 0 ? cfg.rate : 1, cfg.threads, index) {
    uint64_t total = cfg.max_requests;
    if (total == 0 && cfg.rate > 0)
      total = model::requests_in(cfg.rate, std::chrono::duration<double>(cfg.duration).count());
    limit_ = total == 0 ? UINT64_MAX : model::open_loop_schedule(1, cfg.threads, index).share_of(total);
    deadline_ = start_ns + static_cast<uint64_t>(cfg.duration.count());
  }

  load_result run();

 private:
  bool may_send(uint64_t now) const;
  void dispatch(uint64_t now);
  connection* free_connection(uint64_t now);
  void begin(connection& c, uint64_t start, uint64_t now);
  void open(connection& c, uint64_t now);
  void write_some(connection& c, uint64_t now);
  void read_some(connection& c, uint64_t now);
  void answered(connection& c, model::http_response r, uint64_t now);
  void fail(connection& c, failure why, const std::string& detail, uint64_t now);
  void close(connection& c, uint64_t reopen_delay, uint64_t now);
  void watch(connection& c, bool out);
  void on_event(connection& c, uint32_t events, uint64_t now);
  void housekeeping(uint64_t now);
  void arm_timer(uint64_t at);
  bool done(uint64_t now) const;
  void example(const std::string& text) {
    if (result_.examples.size() < kExamples) result_.examples.push_back(text);
  }

  const load_config& cfg_;
  size_t index_;
  std::vector<connection> conns_;
  uint64_t start_ns_, deadline_, limit_;
  const std::atomic<bool>& stop_;
  load_progress& progress_;
  model::open_loop_schedule schedule_;
  int epoll_ = -1, timer_ = -1;
  uint64_t armed_ = 0;           // when the timer fires; 0 = not armed
  uint64_t issued_ = 0;          // attempts begun by this thread
  uint64_t in_flight_ = 0;       // attempts not ended
  uint64_t last_progress_ns_;    // a connection opened or an answer arrived
  uint64_t last_end_ns_ = 0;
  bool stopped_ = false;         // stop_ seen: nothing new is sent
  std::vector<connection*> idle_;
  std::deque<connection*> closed_;  // in reopen_at order (the delay is constant)
  load_result result_;
  simdjson::dom::parser json_;
};

bool worker::may_send(uint64_t now) const {
  if (stopped_ || issued_ >= limit_) return false;
  if (cfg_.rate > 0) return schedule_.due_ns(issued_) <= now - start_ns_;
  return cfg_.max_requests > 0 || now < deadline_;
}

connection* worker::free_connection(uint64_t now) {
  if (!idle_.empty()) {
    auto* c = idle_.back();
    idle_.pop_back();
    return c;
  }
  if (!closed_.empty() && closed_.front()->reopen_at <= now) {
    auto* c = closed_.front();
    closed_.pop_front();
    return c;
  }
  return nullptr;
}

void worker::dispatch(uint64_t now) {
  while (may_send(now)) {
    auto* c = free_connection(now);
    if (!c) return;
    uint64_t origin = cfg_.rate > 0 ? start_ns_ + schedule_.due_ns(issued_) : now;
    begin(*c, origin, now);
  }
}

void worker::begin(connection& c, uint64_t start, uint64_t now) {
  ++issued_;
  ++in_flight_;
  c.has_request = true;
  c.start_ns = start;
  c.sent_ns = now;
  c.written = 0;
  if (c.state == conn_state::closed) return open(c, now);
  c.state = conn_state::busy;
  write_some(c, now);
}

void worker::open(connection& c, uint64_t now) {
  c.fd = ::socket(cfg_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return fail(c, failure::connect, std::strerror(errno), now);
  int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c.parser = model::http_response_parser{4096};
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
  c.want_out = true;
  c.state = conn_state::connecting;
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&cfg_.address), cfg_.address_len) != 0 &&
      errno != EINPROGRESS)
    fail(c, failure::connect, std::strerror(errno), now);
}

void worker::watch(connection& c, bool out) {
  if (c.want_out == out) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_out = out;
}

void worker::write_some(connection& c, uint64_t now) {
  const auto& req = cfg_.request;
  while (c.written < req.size()) {
    ssize_t n = ::send(c.fd, req.data() + c.written, req.size() - c.written, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) return watch(c, true);
    if (n <= 0) return fail(c, failure::write, std::strerror(errno), now);
    c.written += static_cast<size_t>(n);
  }
  watch(c, false);
}

void worker::read_some(connection& c, uint64_t now) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0 || n == 0) {
      if (!c.has_request) return close(c, 0, now);  // an idle keep-alive the server closed
      if (n == 0 && c.parser.finish() && c.parser.ready()) return answered(c, c.parser.take(), now);
      return fail(c, failure::read, n == 0 ? "the server closed the connection before answering"
                                           : std::strerror(errno), now);
    }
    if (!c.has_request) return close(c, 0, now);  // bytes nobody asked for (a 408 before a close)
    auto fed = c.parser.feed(std::string_view(buf, static_cast<size_t>(n)));
    if (!fed) return fail(c, failure::parse, fed.error().detail, now);
    if (c.parser.ready()) return answered(c, c.parser.take(), now);
  }
}

void worker::answered(connection& c, model::http_response r, uint64_t now) {
  --in_flight_;
  c.has_request = false;
  last_progress_ns_ = last_end_ns_ = now;
  auto& counts = result_.counts;
  counts.latency_ns.record(now > c.start_ns ? now - c.start_ns : 0);
  ++counts.status_codes[r.status];
  ++counts.requests;
  progress_.requests.fetch_add(1, std::memory_order_relaxed);
  bool ok = r.status >= 200 && r.status <= 299;
  if (!ok) {
    progress_.errors.fetch_add(1, std::memory_order_relaxed);
    example("HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
  } else if (cfg_.tracker) {
    simdjson::dom::element doc;
    std::string_view id;
    if (!json_.parse(r.body).get(doc) && !doc["id"].get(id))
      cfg_.tracker->acknowledged(std::string(id), c.start_ns);
  }
  if (!r.keep_alive || c.parser.mid_response()) return close(c, 0, now);
  c.state = conn_state::idle;
  idle_.push_back(&c);
}

void worker::fail(connection& c, failure why, const std::string& detail, uint64_t now) {
  static const char* names[] = {"connect", "read", "write", "timeout", "parse"};
  auto& e = result_.counts.socket_errors;
  uint64_t* counts[] = {&e.connect, &e.read, &e.write, &e.timeout, &e.parse};
  if (c.has_request) {
    --in_flight_;
    c.has_request = false;
    ++*counts[static_cast<int>(why)];
    ++result_.counts.requests;
    last_end_ns_ = now;
    progress_.requests.fetch_add(1, std::memory_order_relaxed);
    progress_.errors.fetch_add(1, std::memory_order_relaxed);
    example(std::string(names[static_cast<int>(why)]) + ": " + detail);
  }
  if (why == failure::connect && now - last_progress_ns_ > kGiveUp && result_.fatal.empty())
    result_.fatal = detail;
  close(c, kReopenDelay, now);
}

void worker::close(connection& c, uint64_t reopen_delay, uint64_t now) {
  if (c.state == conn_state::idle) idle_.erase(std::find(idle_.begin(), idle_.end(), &c));
  if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  c.state = conn_state::closed;
  c.reopen_at = now + reopen_delay;
  closed_.push_back(&c);
}

void worker::on_event(connection& c, uint32_t events, uint64_t now) {
  if (c.state == conn_state::connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP)))
      return fail(c, failure::connect, std::strerror(err ? err : ECONNREFUSED), now);
    last_progress_ns_ = now;
    c.state = c.has_request ? conn_state::busy : conn_state::idle;
    if (c.has_request) return write_some(c, now);
    watch(c, false);
    idle_.push_back(&c);
    return;
  }
  if ((events & EPOLLOUT) && c.state == conn_state::busy && c.written < cfg_.request.size()) {
    write_some(c, now);
    if (c.state != conn_state::busy) return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_some(c, now);
}

void worker::housekeeping(uint64_t now) {
  if (stop_.load(std::memory_order_relaxed)) stopped_ = true;
  // After a --duration load, what has no answer within the timeout is lost.
  bool overdue = cfg_.max_requests == 0 &&
                 now > deadline_ + static_cast<uint64_t>(cfg_.timeout.count());
  for (auto& c : conns_)
    if (c.has_request &&
        (overdue || now - c.sent_ns > static_cast<uint64_t>(cfg_.timeout.count())))
      fail(c, failure::timeout, "no answer within the timeout", now);
  if (overdue && cfg_.rate > 0 && issued_ < limit_) {  // due, never sent
    uint64_t unsent = limit_ - issued_;
    issued_ = limit_;
    result_.counts.socket_errors.timeout += unsent;
    result_.counts.requests += unsent;
    progress_.requests += unsent;
    progress_.errors += unsent;
    example("timeout: " + std::to_string(unsent) + " due requests never found a free connection");
  }
  progress_.publish(index_, result_.counts.latency_ns);
}

void worker::arm_timer(uint64_t at) {
  if (at == armed_) return;
  armed_ = at;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(at / 1000000000);
  spec.it_value.tv_nsec = static_cast<long>(at % 1000000000);
  ::timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

bool worker::done(uint64_t now) const {
  if (!result_.fatal.empty()) return true;
  return in_flight_ == 0 && (stopped_ || issued_ >= limit_ ||
                             (cfg_.rate == 0 && cfg_.max_requests == 0 && now >= deadline_));
}

load_result worker::run() {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  timer_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.ptr = nullptr;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &tev);
  uint64_t now = monotonic_ns();
  last_progress_ns_ = now;
  for (auto& c : conns_) open(c, now);  // connected before they are needed
  uint64_t next_housekeeping = now + kHousekeeping;
  epoll_event events[256];
  while (!done(now)) {
    dispatch(now);
    uint64_t wake = next_housekeeping;
    if (cfg_.rate > 0 && !stopped_ && issued_ < limit_)
      wake = std::min(wake, start_ns_ + schedule_.due_ns(issued_));
    if (cfg_.rate == 0 && cfg_.max_requests == 0 && now < deadline_) wake = std::min(wake, deadline_);
    if (!closed_.empty() && may_send(now)) wake = std::min(wake, closed_.front()->reopen_at);
    arm_timer(std::max(wake, now + 1));
    int n = ::epoll_wait(epoll_, events, 256, -1);
    now = monotonic_ns();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        uint64_t expirations;
        [[maybe_unused]] auto r = ::read(timer_, &expirations, sizeof expirations);
        armed_ = 0;
        continue;
      }
      on_event(*static_cast<connection*>(events[i].data.ptr), events[i].events, now);
    }
    if (now >= next_housekeeping) {
      housekeeping(now);
      next_housekeeping = now + kHousekeeping;
    }
  }
  for (auto& c : conns_) {
    if (c.has_request) fail(c, failure::connect, "gave up: " + result_.fatal, now);
    if (c.fd >= 0) ::close(c.fd);
  }
  ::close(timer_);
  ::close(epoll_);
  result_.start_ns = start_ns_;
  result_.duration_s = (std::max(last_end_ns_, start_ns_) - start_ns_) / 1e9;
  return std::move(result_);
}

}  // namespace

uint64_t monotonic_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
}

void load_progress::publish(size_t t, const model::latency_histogram& h) {
  std::lock_guard<std::mutex> lock(m_);
  latest_[t] = h;
}

uint64_t load_progress::p99_ns() {
  std::lock_guard<std::mutex> lock(m_);
  model::latency_histogram all;
  for (const auto& h : latest_) all.merge(h);
  return all.percentile(99);
}

load_result run_load(const load_config& cfg, const std::atomic<bool>& stop,
                     const progress_fn& on_progress) {
  load_progress progress(cfg.threads);
  uint64_t start = monotonic_ns();
  std::vector<load_result> results(cfg.threads);
  std::vector<std::thread> threads;
  std::atomic<size_t> running{cfg.threads};
  for (size_t t = 0; t < cfg.threads; ++t) {
    uint64_t conns = cfg.connections / cfg.threads + (t < cfg.connections % cfg.threads ? 1 : 0);
    threads.emplace_back([&, t, conns] {
      results[t] = worker(cfg, t, conns, start, stop, progress).run();
      --running;
    });
  }
  uint64_t next = start + 1000 * kMs;
  while (running > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (on_progress && monotonic_ns() >= next) {
      on_progress((monotonic_ns() - start) / 1e9, progress);
      next += 1000 * kMs;
    }
  }
  for (auto& th : threads) th.join();
  load_result all = std::move(results[0]);
  for (size_t t = 1; t < results.size(); ++t) {
    auto& r = results[t];
    all.counts.merge(r.counts);
    for (auto& e : r.examples)
      if (all.examples.size() < kExamples) all.examples.push_back(std::move(e));
    all.duration_s = std::max(all.duration_s, r.duration_s);
    if (all.fatal.empty()) all.fatal = r.fatal;
  }
  return all;
}

}  // namespace fabro::app
