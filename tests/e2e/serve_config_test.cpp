// `serve` refuses bad configuration with one line naming the key, exit 2.
#include <catch2/catch.hpp>

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
