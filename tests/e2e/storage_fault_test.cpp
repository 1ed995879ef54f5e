// Storage faults: a data directory on a small tmpfs fills up under create,
// start and cancel load. Every request is answered within a second (503 +
// Retry-After while the store cannot commit), nothing refused changes a
// run, the fault is logged once, and once space returns the server carries
// on and every acknowledged run survives a restart.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

namespace {

// A tmpfs of `bytes` mounted on `path` for the test's lifetime.
struct small_tmpfs {
  std::string path;
  bool mounted = false;
  small_tmpfs(std::string p, size_t bytes) : path(std::move(p)) {
    std::filesystem::create_directories(path);
    auto opts = "size=" + std::to_string(bytes) + ",mode=0700";
    mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~small_tmpfs() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
};

// Fills the file system holding `path` until a write fails (ENOSPC).
void fill(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::string block(64 * 1024, 'f');
  for (size_t n = block.size(); n >= 1;) {
    if (::write(fd, block.data(), n) < 0) n /= 2;  // the last few blocks, smaller
  }
  ::close(fd);
}

// A manifest of about 48 KiB (a long comment in the workflow), unique by `tag`.
std::string big_manifest(const std::string& tag) {
  return "{\"version\":1,\"cwd\":\"/tmp/" + tag +
         "\",\"target\":{\"identifier\":\"workflow.fabro\",\"path\":\"workflow.fabro\"},"
         "\"workflows\":{\"workflow.fabro\":{\"source\":\"digraph T { /* " +
         std::string(48 * 1024, 'n') +
         " */ start [shape=Mdiamond] exit [shape=Msquare] start -> exit }\",\"files\":{}}}}";
}

struct timed {
  http_response r;
  std::chrono::milliseconds took;
};

timed send(uint16_t port, const std::string& method, const std::string& path,
           const std::string& body = "") {
  auto t0 = std::chrono::steady_clock::now();
  auto r = http_request(port, method, path, body);
  return {r, std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - t0)};
}

std::string status_of(uint16_t port, const std::string& id) {
  return json_string_field(http_request(port, "GET", "/api/v1/runs/" + id).body, "status");
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a full disk gets prompt 503s that change nothing, and the server recovers when "
          "space returns", "[e2e][storage]") {
  temp_dir dir;
  small_tmpfs fs(dir.path + "/mnt", 4 * 1024 * 1024);
  if (!fs.mounted) {
    WARN("skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
    return;
  }
  std::string data = fs.path + "/data";
  std::vector<std::string> acknowledged;
  std::vector<std::string> submitted;  // to start and cancel during the fault
  {
    server_process server(data, {"--max-concurrent-runs", "0"});
    REQUIRE(server.started());
    auto port = server.port();
    for (int i = 0; i < 6; ++i) {
      auto r = http_request(port, "POST", "/api/v1/runs", minimal_manifest("", "/tmp/s" + std::to_string(i)));
      REQUIRE(r.status == 201);
      submitted.push_back(json_string_field(r.body, "id"));
      acknowledged.push_back(submitted.back());
    }
    fill(fs.path + "/filler");

    // Creates until the store runs out of room: the first refusals.
    timed refused;
    for (int i = 0; i < 400; ++i) {
      refused = send(port, "POST", "/api/v1/runs", big_manifest("c" + std::to_string(i)));
      if (refused.r.status == 201) acknowledged.push_back(json_string_field(refused.r.body, "id"));
      else break;
    }
    REQUIRE(refused.r.status == 503);
    CHECK(refused.r.header("retry-after") == "2");
    CHECK(refused.took < 1s);

    // During the fault: every request answered within a second, refused
    // ones change nothing.
    for (int i = 0; i < 3; ++i) {
      auto c = send(port, "POST", "/api/v1/runs", big_manifest("f" + std::to_string(i)));
      CHECK(c.r.status == 503);
      CHECK(c.took < 1s);
      auto s = send(port, "POST", "/api/v1/runs/" + submitted[i] + "/start");
      CHECK(s.r.status == 503);
      CHECK(s.r.header("retry-after") == "2");
      CHECK(s.took < 1s);
      CHECK(status_of(port, submitted[i]) == "submitted");
      auto k = send(port, "POST", "/api/v1/runs/" + submitted[3 + i] + "/cancel");
      CHECK(k.r.status == 503);
      CHECK(k.took < 1s);
      CHECK(status_of(port, submitted[3 + i]) == "submitted");
    }
    CHECK(count(server.log(), "storage: commits fail") == 1);

    // Space returns: the same requests succeed, the runs change as asked.
    std::filesystem::remove(fs.path + "/filler");
    CHECK(eventually([&] {
      auto r = http_request(port, "POST", "/api/v1/runs", big_manifest("after"));
      if (r.status == 201) acknowledged.push_back(json_string_field(r.body, "id"));
      return r.status == 201;
    }, 10s));
    // Logged by the journal once the sync covering that commit returned,
    // which may be just after the 201 went out.
    CHECK(eventually([&] { return count(server.log(), "storage: commits succeed again") == 1; },
                     5s));
    auto start = http_request(port, "POST", "/api/v1/runs/" + submitted[0] + "/start");
    CHECK(start.status == 200);
    CHECK(json_string_field(start.body, "status") == "queued");
    auto cancel = http_request(port, "POST", "/api/v1/runs/" + submitted[3] + "/cancel");
    CHECK(cancel.status == 200);
    CHECK(status_of(port, submitted[3]) == "cancelled");

    auto t0 = std::chrono::steady_clock::now();
    CHECK(server.stop() == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  }
  server_process restarted(data, {"--max-concurrent-runs", "0"});
  REQUIRE(restarted.started());
  size_t readable = 0;
  for (const auto& id : acknowledged)
    if (http_request(restarted.port(), "GET", "/api/v1/runs/" + id).status == 200) ++readable;
  CHECK(readable == acknowledged.size());
  CHECK(status_of(restarted.port(), submitted[0]) == "queued");
  CHECK(status_of(restarted.port(), submitted[1]) == "submitted");
  CHECK(status_of(restarted.port(), submitted[3]) == "cancelled");
  CHECK(status_of(restarted.port(), submitted[4]) == "submitted");
}
