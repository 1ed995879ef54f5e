// What a command stage can reach of the server (issue 10): its descriptors,
// its environment, its data directory; and that a server killed with a live
// stage comes back on the same port at once.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "model/json_writer.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

std::string status_of(uint16_t port, const std::string& id) {
  return json_string_field(http_request(port, "GET", "/api/v1/runs/" + id).body, "status");
}

// Creates and starts a run of `script` in `cwd`; returns its id.
std::string start_run(uint16_t port, const std::string& script, const std::string& cwd) {
  std::filesystem::create_directories(cwd);
  auto created =
      http_request(port, "POST", "/api/v1/runs", exec_manifest(command_workflow(script), cwd));
  REQUIRE(created.status == 201);
  auto id = json_string_field(created.body, "id");
  REQUIRE(http_request(port, "POST", "/api/v1/runs/" + id + "/start").status == 200);
  return id;
}

// Alive and not a zombie (a reaped-late zombie holds nothing).
bool running(pid_t pid) {
  auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("a stage holds only fds 0-2 and no server secret reaches its environment",
          "[e2e][isolation]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  server_process proc(data, {},
                      {{"AWS_SECRET_ACCESS_KEY", "leak-aws"},
                       {"PGPASSWORD", "leak-pg"},
                       {"DATABASE_URL", "postgres://leak-url"},
                       {"GITHUB_PAT", "leak-pat"}});
  REQUIRE(proc.started());
  auto cwd = dir.path + "/work";
  // ls runs as a child of the stage's bash, so it lists bash's descriptors
  // and not its own directory handle; `; true` keeps bash from exec'ing ls.
  auto id = start_run(proc.port(),
                      "ls /proc/$$/fd > fds.txt; env > env.txt; "
                      "cat /proc/$PPID/environ > parent_env.txt; true",
                      cwd);
  REQUIRE(eventually([&] { return status_of(proc.port(), id) == "completed"; }));

  CHECK(read_text(cwd + "/fds.txt") == "0\n1\n2\n");
  auto env = read_text(cwd + "/env.txt");
  CHECK(env.find("PATH=") != std::string::npos);
  for (auto secret : {"leak-aws", "leak-pg", "leak-url", "leak-pat", kTestDevToken}) {
    INFO(secret);
    CHECK(env.find(secret) == std::string::npos);
  }
  // The server's own environment block no longer shows the dev token.
  auto parent_env = read_text(cwd + "/parent_env.txt");
  CHECK(parent_env.find("PATH=") != std::string::npos);  // the file was readable
  CHECK(parent_env.find(kTestDevToken) == std::string::npos);

  // The data directory and the store are the server user's alone.
  struct stat st{};
  REQUIRE(::stat(data.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat((data + "/runs.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a server killed with live stages listens on the same port at once and ends them",
          "[e2e][isolation]") {
  temp_dir dir;
  auto data = dir.path + "/data";
  auto cwd = dir.path + "/work";
  uint16_t port = 0;
  std::string id;
  pid_t shell = 0, child = 0;
  {
    server_process first(data);
    REQUIRE(first.started());
    port = first.port();
    // bash leads the group; its background sleep is a second member.
    id = start_run(port, "echo $$ > pid; sleep 30 & echo $! > child; touch started; wait; true",
                   cwd);
    REQUIRE(eventually([&] { return std::filesystem::exists(cwd + "/started"); }));
    REQUIRE(status_of(port, id) == "running");
    shell = static_cast<pid_t>(std::stol(read_text(cwd + "/pid")));
    child = static_cast<pid_t>(std::stol(read_text(cwd + "/child")));
    first.kill();
  }
  REQUIRE(running(shell));  // orphaned, as after any crash
  REQUIRE(running(child));
  auto begin = std::chrono::steady_clock::now();
  server_process second(data, {"--bind", "127.0.0.1:" + std::to_string(port)});
  auto took = std::chrono::steady_clock::now() - begin;
  bool shell_left = running(shell), child_left = running(child);
  ::kill(-shell, SIGKILL);  // never leave a sleeper behind, whatever failed
  INFO(second.log());
  REQUIRE(second.started());
  CHECK(second.port() == port);
  CHECK(took < 10s);  // not after the stage's 30 s sleep
  CHECK_FALSE(shell_left);
  CHECK_FALSE(child_left);
  CHECK(second.log().find("terminated 1 stage process group") != std::string::npos);
  CHECK(http_request(port, "GET", "/health").status == 200);
  CHECK(status_of(port, id) == "failed");
}
