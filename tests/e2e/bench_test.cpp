// `fabro-orchestrator bench` (issue 15) against the real server: every
// acknowledged run is stored, an open loop keeps its rate, a stall shows in
// the open loop's p99 and not in the closed loop's, errors and an
// unreachable server fail the command.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include <simdjson.h>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

struct bench_server {
  temp_dir dir;
  server_process server{dir.path + "/data"};
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
  // Runs `bench ARGS --server URL --token TOKEN --json`.
  binary_output bench(std::vector<std::string> args, const std::string& token = kTestDevToken) {
    std::vector<std::string> all{"bench"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--server", url(), "--token", token, "--json"});
    return run_binary_in(dir.path, all, {}, 60000);
  }
  // The same, which must exit 0: its stdout.
  std::string bench_ok(std::vector<std::string> args) {
    auto r = bench(std::move(args));
    INFO(r.err);
    REQUIRE(r.code == 0);
    return r.out;
  }
  // Whether the server stores at least `n` runs (one GET).
  bool stores_at_least(uint64_t n) {
    auto page = http_request(server.port(), "GET",
                             "/api/v1/runs?page[limit]=1&page[offset]=" + std::to_string(n - 1));
    return page.status == 200 && data_items(page.body).size() == 1;
  }
  // The server's own count of stored runs, paging through GET /api/v1/runs.
  uint64_t stored_runs() {
    uint64_t total = 0;
    for (;;) {
      auto page = http_request(server.port(), "GET",
                               "/api/v1/runs?page[limit]=100&page[offset]=" + std::to_string(total));
      REQUIRE(page.status == 200);
      auto n = data_items(page.body).size();
      total += n;
      if (n < 100) return total;
    }
  }
};

// The parsed --json report (a copy the test may keep).
struct report {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  explicit report(const std::string& out) { REQUIRE_FALSE(parser.parse(out).get(doc)); }
  uint64_t count(const char* key) {
    uint64_t v = 0;
    CHECK_FALSE(doc[key].get(v));
    return v;
  }
  double latency_ms(const char* which) {
    double v = -1;
    CHECK_FALSE(doc["latency_ms"][which].get(v));
    return v;
  }
  uint64_t status(const char* code) {
    uint64_t v = 0;
    return doc["status_codes"][code].get(v) ? 0 : v;
  }
};

}  // namespace

TEST_CASE("bench --runs 2000: the server stores exactly the runs it acknowledged", "[e2e]") {
  bench_server s;
  REQUIRE(s.server.started());
  report rep(s.bench_ok({"--runs", "2000", "--connections", "16"}));
  CHECK(rep.count("requests") == 2000);
  CHECK(rep.count("acknowledged") == 2000);
  CHECK(rep.status("201") == 2000);
  CHECK(rep.count("socket_errors") == 0);
  CHECK(s.stored_runs() == rep.count("acknowledged"));
}

TEST_CASE("bench --rate 500 --duration 5 sends 2,500 requests", "[e2e]") {
  bench_server s;
  REQUIRE(s.server.started());
  report rep(s.bench_ok({"--rate", "500", "--duration", "5"}));
  auto requests = rep.count("requests");
  CHECK(requests >= 2450);
  CHECK(requests <= 2550);
  CHECK(rep.count("acknowledged") == requests);
}

TEST_CASE("a 1 s stall of the server shows in the open loop's p99, not in the closed loop's",
          "[e2e]") {
  bench_server s;
  REQUIRE(s.server.started());
  // Stops the server for 1 s once it has stored `after` runs (the load is
  // under way), then lets it go on.
  auto stall_after = [&](uint64_t after) {
    REQUIRE(eventually([&] { return s.stores_at_least(after); }, 20s));
    ::kill(s.server.pid(), SIGSTOP);
    std::this_thread::sleep_for(1s);  // the stall itself
    ::kill(s.server.pid(), SIGCONT);
  };

  // Open loop: 300 requests due over 3 s. The ~10 due in the stall's first
  // 100 ms (over 3 %) wait at least 900 ms, so p99 >= 900 ms.
  auto open = std::async(std::launch::async, [&] {
    return s.bench({"--rate", "100", "--duration", "3", "--connections", "4"});
  });
  stall_after(10);
  auto o = open.get();
  INFO(o.err);
  REQUIRE(o.code == 0);
  report open_rep(o.out);
  CHECK(open_rep.latency_ms("p99") >= 900);
  uint64_t before = open_rep.count("acknowledged");

  // Closed loop on one connection: only the request in flight stalls, one
  // of 1000, so p99 stays low while max shows the stall was inside the run.
  auto closed = std::async(std::launch::async, [&] {
    return s.bench({"--runs", "1000", "--connections", "1"});
  });
  stall_after(before + 10);
  auto c = closed.get();
  INFO(c.err);
  REQUIRE(c.code == 0);
  report closed_rep(c.out);
  CHECK(closed_rep.latency_ms("max") >= 900);
  CHECK(closed_rep.latency_ms("p99") < 900);
}

TEST_CASE("bench against a server that refuses the token fails and counts the 401s", "[e2e]") {
  bench_server s;
  REQUIRE(s.server.started());
  auto r = s.bench({"--runs", "20", "--connections", "2"},
                   "fabro_dev_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  CHECK(r.code == 1);
  report rep(r.out);
  CHECK(rep.status("401") == 20);
  CHECK(rep.count("acknowledged") == 0);
  CHECK(rep.count("errors") == 20);
  CHECK(r.err.find("HTTP 401") != std::string::npos);  // the first examples

  // The text report shows the count too; --allow-errors exits 0.
  auto text = run_binary_in(s.dir.path, {"bench", "--runs", "5", "--server", s.url(), "--token",
                                         "wrong", "--allow-errors"});
  CHECK(text.code == 0);
  CHECK(text.out.find("401: 5") != std::string::npos);
}

TEST_CASE("bench --follow sees every run end", "[e2e]") {
  bench_server s;
  REQUIRE(s.server.started());
  report rep(s.bench_ok({"--runs", "50", "--connections", "4", "--follow"}));
  CHECK(rep.count("acknowledged") == 50);
  uint64_t completed = 0, unfinished = 1;
  CHECK_FALSE(rep.doc["follow"]["completed"].get(completed));
  CHECK_FALSE(rep.doc["follow"]["unfinished"].get(unfinished));
  CHECK(completed == 50);
  CHECK(unfinished == 0);
}

TEST_CASE("bench fails fast on an unreachable server and on bad usage", "[e2e]") {
  // A loopback port nobody listens on: bound, then released.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  temp_dir dir;
  auto r = run_binary_in(dir.path, {"bench", "--runs", "10", "--server", url}, {}, 10000);
  CHECK(r.code == 3);
  CHECK(r.err.find("cannot reach the server") != std::string::npos);

  CHECK(run_binary_in(dir.path, {"bench", "--runs", "5", "--duration", "5"}).code == 2);
  CHECK(run_binary_in(dir.path, {"bench", "--threads", "3", "--server", url}).code == 2);
  CHECK(run_binary_in(dir.path, {"bench", "--manifest", dir.path + "/missing.json"}).code == 2);
}
