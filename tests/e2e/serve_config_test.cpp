// `serve` refuses bad configuration with one line naming the key, exit 2.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

using namespace fabro::testing;

namespace {

std::string write_config(const temp_dir& dir, const std::string& text) {
  std::string path = dir.path + "/config.yaml";
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("a config value of the wrong type is a one-line error naming key and line", "[e2e]") {
  temp_dir dir;
  auto path = write_config(dir, "data_dir: " + dir.path + "/d\nthreads: eighty\n");
  auto [code, out] = run_binary({"serve", "--config", path});
  CHECK(code == 2);
  CHECK(out.find(path + ":2: threads:") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}

TEST_CASE("an unknown config key, bad YAML and a missing file are refused", "[e2e]") {
  temp_dir dir;
  auto unknown = run_binary({"serve", "--config", write_config(dir, "treads: 2\n")});
  CHECK(unknown.first == 2);
  CHECK(unknown.second.find(":1: treads: unknown key") != std::string::npos);
  auto broken = run_binary({"serve", "--config", write_config(dir, "bind: [unclosed\n")});
  CHECK(broken.first == 2);
  auto missing = run_binary({"serve", "--config", dir.path + "/nope.yaml"});
  CHECK(missing.first == 2);
  CHECK(missing.second.find("cannot read the config file") != std::string::npos);
}

TEST_CASE("a bad --bind or --threads flag is refused before anything starts", "[e2e]") {
  CHECK(run_binary({"serve", "--bind", "127.0.0.1:99999"}).first == 2);
  CHECK(run_binary({"serve", "--threads", "0"}).first == 2);
  CHECK(run_binary({"serve", "--bogus"}).first == 2);
}

TEST_CASE("flags override the config file", "[e2e]") {
  temp_dir dir;
  // The file asks for a fixed port; the flag (set by server_process) wins.
  auto path = write_config(dir, "bind: 127.0.0.1:1\nthreads: 1\n");
  server_process s(dir.path + "/data", {"--config", path});
  REQUIRE(s.started());
  CHECK(s.port() != 1);
  CHECK(http_request(s.port(), "GET", "/health").status == 200);
}

TEST_CASE("sandbox takes local or bubblewrap and nothing else", "[e2e]") {
  temp_dir dir;
  auto bad = run_binary({"serve", "--config", write_config(dir, "sandbox: docker\n")});
  CHECK(bad.first == 2);
  CHECK(bad.second.find(":1: sandbox: must be local or bubblewrap (got 'docker')") !=
        std::string::npos);
  auto flag = run_binary({"serve", "--sandbox", "chroot"});
  CHECK(flag.first == 2);
  CHECK(flag.second.find("sandbox: must be local or bubblewrap (got 'chroot')") !=
        std::string::npos);
}

TEST_CASE("cluster_endpoint takes HOST:PORT and nothing else", "[e2e]") {
  temp_dir dir;
  auto bad = run_binary({"serve", "--config", write_config(dir, "cluster_endpoint: nowhere\n")});
  CHECK(bad.first == 2);
  CHECK(bad.second.find(":1: cluster_endpoint: must be HOST:PORT (got 'nowhere')") !=
        std::string::npos);
  for (const char* flag : {"127.0.0.1:70000", ":7400", "10.0.0.5:"}) {
    auto refused = run_binary({"serve", "--cluster-endpoint", flag});
    CHECK(refused.first == 2);
    CHECK(refused.second.find("cluster_endpoint: must be HOST:PORT") != std::string::npos);
  }
}

TEST_CASE("an IPv6 bind ([::1]:PORT) listens on IPv6 loopback, as the README says", "[e2e]") {
  int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_addr = in6addr_loopback;
  bool v6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0;
  if (probe >= 0) ::close(probe);
  if (!v6) {
    WARN("skipped: no IPv6 loopback here");
    return;
  }
  temp_dir dir;
  server_process s(dir.path + "/data", {"--bind", "[::1]:0"});
  REQUIRE(s.started());
  CHECK(s.log().find("listening on ::1:") != std::string::npos);
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  addr.sin6_port = htons(s.port());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string req = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
  ::close(fd);
  CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(got.find("\"status\":\"ok\"") != std::string::npos);
}
