// What a command stage can reach of the server (issue 10): its descriptors,
// its environment, its data directory; and that a server killed with a live
// stage comes back on the same port at once.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
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

namespace {

// Whether bwrap can create namespaces here (the server probes the same).
bool bubblewrap_works() {
  return std::system("bwrap --unshare-pid --ro-bind / / --proc /proc --dev /dev true "
                     ">/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("under sandbox: bubblewrap a stage sees no server process, data directory or host "
          "file it could write", "[e2e][isolation][bubblewrap]") {
  if (!bubblewrap_works()) {
    WARN("skipped: bwrap cannot create namespaces on this host");
    return;
  }
  temp_dir dir;
  auto data = dir.path + "/data";
  server_process proc(data, {"--sandbox", "bubblewrap"},
                      {{"AWS_SECRET_ACCESS_KEY", "leak-aws"}});
  REQUIRE(proc.started());
  auto cwd = dir.path + "/work";
  auto server_pid = std::to_string(proc.pid());
  auto id = start_run(proc.port(),
                      "ls /proc/$$/fd > fds.txt; env > env.txt; "
                      "ls /proc | grep -c '^[0-9]' > pids.txt; "
                      "cat /proc/" + server_pid + "/environ > server_env.txt 2>&1; "
                      "ls -A " + data + " > data.txt 2>&1; "
                      "touch " + dir.path + "/outside; "
                      "touch /etc/fabro-stage-outside 2> outside.txt; "
                      "echo inside > inside.txt; true",
                      cwd);
  REQUIRE(eventually([&] { return status_of(proc.port(), id) == "completed"; }));
  CHECK(read_text(cwd + "/fds.txt") == "0\n1\n2\n");
  CHECK(read_text(cwd + "/env.txt").find("leak-aws") == std::string::npos);
  // Its own PID namespace: a handful of processes, the server not among them.
  CHECK(std::stoi(read_text(cwd + "/pids.txt")) <= 4);
  CHECK(read_text(cwd + "/server_env.txt").find(kTestDevToken) == std::string::npos);
  CHECK(read_text(cwd + "/server_env.txt").find("No such file") != std::string::npos);
  // The data directory is an empty tmpfs inside the sandbox.
  CHECK(read_text(cwd + "/data.txt").empty());
  // Only the working directory is writable: /tmp is the sandbox's own,
  // the rest of the host read-only.
  CHECK_FALSE(std::filesystem::exists(dir.path + "/outside"));
  CHECK_FALSE(std::filesystem::exists("/etc/fabro-stage-outside"));
  CHECK(read_text(cwd + "/outside.txt").find("Read-only file system") != std::string::npos);
  CHECK(read_text(cwd + "/inside.txt") == "inside\n");
  auto events = http_request(proc.port(), "GET", "/api/v1/runs/" + id + "/events").body;
  CHECK(events.find("\"provider\":\"bubblewrap\"") != std::string::npos);
}

TEST_CASE("a run asks for bubblewrap with args.sandbox on a local server", "[e2e][isolation][bubblewrap]") {
  if (!bubblewrap_works()) {
    WARN("skipped: bwrap cannot create namespaces on this host");
    return;
  }
  temp_dir dir;
  server_process proc(dir.path + "/data");
  REQUIRE(proc.started());
  auto cwd = dir.path + "/work";
  std::filesystem::create_directories(cwd);
  auto manifest = exec_manifest(command_workflow("ls /proc | grep -c '^[0-9]' > pids.txt"), cwd);
  manifest.replace(manifest.find("\"dry_run\":false"), 15,
                   "\"dry_run\":false,\"sandbox\":\"bubblewrap\"");
  auto created = http_request(proc.port(), "POST", "/api/v1/runs", manifest);
  REQUIRE(created.status == 201);
  auto id = json_string_field(created.body, "id");
  REQUIRE(http_request(proc.port(), "POST", "/api/v1/runs/" + id + "/start").status == 200);
  REQUIRE(eventually([&] { return status_of(proc.port(), id) == "completed"; }));
  CHECK(std::stoi(read_text(cwd + "/pids.txt")) <= 4);
}

TEST_CASE("a bubblewrap stage dies with a killed server", "[e2e][isolation][bubblewrap]") {
  if (!bubblewrap_works()) {
    WARN("skipped: bwrap cannot create namespaces on this host");
    return;
  }
  temp_dir dir;
  auto cwd = dir.path + "/work";
  server_process proc(dir.path + "/data", {"--sandbox", "bubblewrap"});
  REQUIRE(proc.started());
  // The sleeper's host pid: the only `sleep 3600` whose cwd is this run's.
  auto id = start_run(proc.port(), "touch started; sleep 3600; true", cwd);
  REQUIRE(eventually([&] { return std::filesystem::exists(cwd + "/started"); }));
  auto sleepers = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      auto name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::error_code ec;
      auto where = std::filesystem::read_symlink(e.path() / "cwd", ec);
      if (!ec && where == cwd && read_text(e.path().string() + "/cmdline").rfind("sleep", 0) == 0)
        ++n;
    }
    return n;
  };
  REQUIRE(eventually([&] { return sleepers() == 1; }));
  proc.kill();  // no restart: the sandbox goes with the server
  CHECK(eventually([&] { return sleepers() == 0; }, 5s));
}
