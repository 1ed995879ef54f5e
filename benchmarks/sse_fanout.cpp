// SSE fan-out benchmark: N concurrent subscribers on ONE run.
//
// Starts the real server (its own data dir, max_connections 4096), creates a
// run, opens N streams on GET /api/v1/runs/{id}/attach?since_seq=1 (one epoll
// thread reads them all), measures the server's VmRSS before and with the
// streams open, then starts the run and records when each subscriber
// receives each event. Reports:
//   - RSS per subscriber = (VmRSS with N streams - VmRSS before) / N;
//   - latency ts->receipt: receipt wall clock minus the event's own `ts`
//     (ms precision, stamped when the engine made the event, so it includes
//     the journal's SQLite commit), p50/p99/max over all (subscriber, event);
//   - fan-out spread: receipt minus the first receipt of the same event by
//     any subscriber (client clock only, µs), p50/p99/max.
//
// Usage: bench_sse_fanout BINARY [subscribers=1000] [stages=40] [sleep=0.05]
//   BINARY is build/fabro-orchestrator. Stages are real command stages
//   running `sleep SLEEP` (dry_run=false), so events are spaced out and the
//   latency is per event, not a burst backlog.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

const char* kToken = "fabro_dev_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One request, Connection: close, whole answer.
std::string http(uint16_t port, const std::string& method, const std::string& path,
                 const std::string& body = "") {
  int fd = connect_to(port);
  if (fd < 0) return "";
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                    "Authorization: Bearer " + kToken + "\r\nContent-Type: application/json\r\n" +
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  // Read by Content-Length: the server may keep the connection open.
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, n);
    auto end = out.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    auto cl = out.find("Content-Length: ");
    if (cl == std::string::npos) cl = out.find("content-length: ");
    if (cl != std::string::npos && cl < end &&
        out.size() >= end + 4 + std::strtoull(out.c_str() + cl + 16, nullptr, 10))
      break;
  }
  ::close(fd);
  return out;
}

std::string json_field(const std::string& s, const std::string& key) {
  auto at = s.find("\"" + key + "\":\"");
  if (at == std::string::npos) return "";
  at += key.size() + 4;
  return s.substr(at, s.find('"', at) - at);
}

uint64_t json_uint(const std::string& s, const std::string& key) {
  auto at = s.find("\"" + key + "\":");
  return at == std::string::npos ? 0 : std::strtoull(s.c_str() + at + key.size() + 3, nullptr, 10);
}

// "2025-01-02T03:04:05.678Z" -> µs since the epoch.
int64_t parse_ts_us(const std::string& ts) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(ts.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000000 + ms * 1000;
}

struct subscriber {
  int fd = -1;
  std::string buf;
  bool headers = false;
  bool closed = false;
  std::map<uint64_t, int64_t> received;  // seq -> receipt µs (system clock)
  std::map<uint64_t, int64_t> ts;        // seq -> event ts µs
};

// Consumes complete frames from s.buf, stamping them with `at`.
void parse(subscriber& s, int64_t at) {
  if (!s.headers) {
    auto end = s.buf.find("\r\n\r\n");
    if (end == std::string::npos) return;
    s.headers = true;
    s.buf.erase(0, end + 4);
  }
  size_t end;
  while ((end = s.buf.find("\n\n")) != std::string::npos) {
    std::string frame = s.buf.substr(0, end);
    s.buf.erase(0, end + 2);
    auto d = frame.find("data: ");
    if (d == std::string::npos) continue;
    auto data = frame.substr(d + 6);
    uint64_t seq = json_uint(data, "seq");
    s.received.emplace(seq, at);
    s.ts.emplace(seq, parse_ts_us(json_field(data, "ts")));
  }
}

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return static_cast<double>(v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BINARY [subscribers] [stages] [sleep]\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string binary = argv[1];
  int subscribers = argc > 2 ? std::atoi(argv[2]) : 1000;
  int stages = argc > 3 ? std::atoi(argv[3]) : 40;
  std::string nap = argc > 4 ? argv[4] : "0.05";

  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, static_cast<rlim_t>(subscribers) + 256);
  setrlimit(RLIMIT_NOFILE, &lim);

  char tmpl[] = "/tmp/fabro-sse-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string config = dir + "/bench.yaml", log = dir + "/server.log";
  std::ofstream(config) << "max_connections: " << subscribers + 1024 << "\n";
  pid_t server = fork();
  if (server == 0) {
    setenv("FABRO_DEV_TOKEN", kToken, 1);
    FILE* f = std::fopen(log.c_str(), "w");
    dup2(fileno(f), 1);
    dup2(fileno(f), 2);
    execl(binary.c_str(), binary.c_str(), "serve", "--bind", "127.0.0.1:0", "--data-dir",
          (dir + "/data").c_str(), "--config", config.c_str(), nullptr);
    _exit(127);
  }
  uint16_t port = 0;
  for (int i = 0; i < 3000 && !port; ++i) {
    auto text = slurp(log);
    auto at = text.find("listening on 127.0.0.1:");
    if (at != std::string::npos) port = static_cast<uint16_t>(std::atoi(text.c_str() + at + 23));
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto cleanup = [&](int code) {
    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return code;
  };
  if (!port) {
    std::fprintf(stderr, "server did not start:\n%s\n", slurp(log).c_str());
    return cleanup(1);
  }

  std::string work = dir + "/work";
  std::filesystem::create_directories(work);
  std::string dot = "digraph Fanout { start [shape=Mdiamond] exit [shape=Msquare]";
  for (int i = 1; i <= stages; ++i)
    dot += " s" + std::to_string(i) + " [shape=parallelogram, script=\\\"sleep " + nap + "\\\"]";
  dot += " start";
  for (int i = 1; i <= stages; ++i) dot += " -> s" + std::to_string(i);
  dot += " -> exit }";
  std::string manifest = "{\"version\":1,\"cwd\":\"" + work +
                         "\",\"target\":{\"identifier\":\"w.fabro\",\"path\":\"w.fabro\"},"
                         "\"args\":{\"dry_run\":false},\"workflows\":{\"w.fabro\":{\"source\":\"" +
                         dot + "\",\"files\":{}}}}";
  auto created = http(port, "POST", "/api/v1/runs", manifest);
  auto id = json_field(created, "id");
  if (id.size() != 26) {
    std::fprintf(stderr, "create failed: %s\n", created.c_str());
    return cleanup(1);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  long rss_before = rss_kib(server);

  std::vector<subscriber> subs(subscribers);
  int ep = epoll_create1(0);
  std::string req = "GET /api/v1/runs/" + id + "/attach?since_seq=1 HTTP/1.1\r\nHost: x\r\n" +
                    "Authorization: Bearer " + kToken + "\r\n\r\n";
  auto t_open = std::chrono::steady_clock::now();
  for (int i = 0; i < subscribers; ++i) {
    subs[i].fd = connect_to(port);
    if (subs[i].fd < 0) {
      std::fprintf(stderr, "connect %d failed: %s\n", i, std::strerror(errno));
      return cleanup(1);
    }
    ::send(subs[i].fd, req.data(), req.size(), MSG_NOSIGNAL);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
  }
  int open = subscribers;
  std::fprintf(stderr, "run %s: %d streams connected\n", id.c_str(), subscribers);
  epoll_event events[256];
  // Reads until `done` holds or `limit` passes.
  auto pump = [&](auto done, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[65536];
    while (!done() && std::chrono::steady_clock::now() < deadline && open > 0) {
      int n = epoll_wait(ep, events, 256, 50);
      int64_t at = now_us();
      for (int k = 0; k < n; ++k) {
        auto& s = subs[events[k].data.u32];
        ssize_t r = ::recv(s.fd, buf, sizeof buf, 0);
        if (r <= 0) {
          epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
          ::close(s.fd);
          s.closed = true;
          --open;
          continue;
        }
        s.buf.append(buf, r);
        parse(s, at);
      }
    }
  };
  // Every stream has replayed run.created and run.submitted: all registered.
  pump([&] {
    return std::all_of(subs.begin(), subs.end(), [](auto& s) { return s.received.size() >= 2; });
  }, std::chrono::seconds(60));
  double open_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_open).count();
  int ready = static_cast<int>(std::count_if(subs.begin(), subs.end(),
                                             [](auto& s) { return s.received.size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  long rss_open = rss_kib(server);

  std::fprintf(stderr, "%d of %d registered; VmRSS %ld -> %ld KiB; starting\n", ready, subscribers,
               rss_before, rss_open);
  auto started = http(port, "POST", "/api/v1/runs/" + id + "/start");
  if (started.find(" 200 ") == std::string::npos) {
    std::fprintf(stderr, "start failed: %s\n", started.c_str());
    return cleanup(1);
  }
  auto t_run = std::chrono::steady_clock::now();
  pump([&] { return open == 0; }, std::chrono::seconds(60 + stages * 2));
  double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count();

  // Per event: the first receipt by anyone.
  std::map<uint64_t, int64_t> first;
  for (auto& s : subs)
    for (auto& [seq, at] : s.received)
      if (seq > 2 && (!first.count(seq) || at < first[seq])) first[seq] = at;
  std::vector<int64_t> lat_ts, spread;
  size_t complete = 0;
  for (auto& s : subs) {
    if (s.received.size() == first.size() + 2) ++complete;
    for (auto& [seq, at] : s.received) {
      if (seq <= 2) continue;  // replayed, not live
      if (s.ts[seq]) lat_ts.push_back(at - s.ts[seq]);
      spread.push_back(at - first[seq]);
    }
  }
  std::printf("subscribers %d (registered %d in %.2f s), stages %d x sleep %s\n", subscribers,
              ready, open_s, stages, nap.c_str());
  std::printf("server VmRSS: %ld KiB before, %ld KiB with streams open -> %.1f KiB per subscriber\n",
              rss_before, rss_open,
              static_cast<double>(rss_open - rss_before) / std::max(1, subscribers));
  std::printf("live events per subscriber %zu; subscribers with every event and closed: %zu; run %.2f s\n",
              first.size(), complete, run_s);
  std::printf("latency ts->receipt (ms): p50 %.1f  p99 %.1f  max %.1f  (n=%zu)\n",
              pct(lat_ts, 0.5) / 1000, pct(lat_ts, 0.99) / 1000, pct(lat_ts, 1.0) / 1000,
              lat_ts.size());
  std::printf("fan-out spread first->each receipt (ms): p50 %.2f  p99 %.2f  max %.2f\n",
              pct(spread, 0.5) / 1000, pct(spread, 0.99) / 1000, pct(spread, 1.0) / 1000);
  std::printf("server VmRSS after the run: %ld KiB\n", rss_kib(server));
  return cleanup(complete == static_cast<size_t>(subscribers) ? 0 : 1);
}
