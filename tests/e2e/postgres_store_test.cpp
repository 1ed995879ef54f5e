// The server on a PostgreSQL store (issue 18): what was acknowledged
// survives a SIGKILL, lives in the database rather than the data directory,
// keeps its queue positions, and executes after a restart; three servers on
// one store act as one orchestrator and survive their authority's SIGKILL.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;
using namespace std::chrono_literals;

TEST_CASE("runs on a PostgreSQL store survive a SIGKILL, keep their positions and execute "
          "on a server with another data directory", "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir first, second;
  const std::string manifest =
      exec_manifest(command_workflow("echo hi"), "/tmp", /*dry_run=*/true);
  std::vector<std::string> submitted, queued;
  {
    server_process server(first.path + "/data", {"--store", url, "--max-concurrent-runs", "0"});
    INFO(server.log());
    REQUIRE(server.started());
    for (int i = 0; i < 8; ++i) {
      auto r = http_request(server.port(), "POST", "/api/v1/runs", manifest);
      REQUIRE(r.status == 201);
      submitted.push_back(json_string_field(r.body, "id"));
      r = http_request(server.port(), "POST", "/api/v1/runs?start=true", manifest);
      REQUIRE(r.status == 201);
      CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
      queued.push_back(json_string_field(r.body, "id"));
    }
    server.kill();
  }
  std::string second_data = second.path + "/data";
  {
    server_process server(second_data, {"--store", url, "--max-concurrent-runs", "0"});
    INFO(server.log());
    REQUIRE(server.started());
    for (const auto& id : submitted)
      CHECK(json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                              "status") == "submitted");
    for (size_t i = 0; i < queued.size(); ++i) {
      auto body = http_request(server.port(), "GET", "/api/v1/runs/" + queued[i]).body;
      CHECK(json_string_field(body, "status") == "queued");
      CHECK(json_uint_field(body, "queue_position") == i + 1);
    }
    auto info = http_request(server.port(), "GET", "/api/v1/system/info");
    CHECK(json_string_field(info.body, "storage_engine") == "postgresql");

    CHECK(server.stop() == 0);
  }
  server_process server(second_data, {"--store", url, "--max-concurrent-runs", "4"});
  INFO(server.log());
  REQUIRE(server.started());
  for (const auto& id : queued)
    CHECK(eventually([&] {
      return json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                               "status") == "completed";
    }));
  auto events = http_request(server.port(), "GET", "/api/v1/runs/" + queued[0] + "/events");
  CHECK(events.status == 200);
  CHECK(events.body.find("\"run.completed\"") != std::string::npos);
}

TEST_CASE("a server whose PostgreSQL store cannot be reached exits with the reason",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data",
                        {"--store", "postgresql://fabro:pw@127.0.0.1:1/none"});
  CHECK_FALSE(server.started());
  CHECK(server.log().find("postgresql://fabro:***@127.0.0.1:1/none") != std::string::npos);
  CHECK(server.log().find(":pw@") == std::string::npos);
}

namespace {

// The numbers a command wrote into `path`, one per line (date +%s%N).
std::vector<uint64_t> stamps(const std::string& path) {
  std::vector<uint64_t> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(std::stoull(line));
  return out;
}

std::string field_on(uint16_t port, const std::string& id, const std::string& key) {
  return json_string_field(http_request(port, "GET", "/api/v1/runs/" + id).body, key);
}

// Starts two 20 s runs through `ports` (one each, in turn), each command
// writing the pid of the server that spawned it into DIR/NAMEi; returns
// their ids and, once both wrote it, those pids.
std::pair<std::vector<std::string>, std::vector<uint64_t>> start_long_runs(
    const std::vector<uint16_t>& ports, const std::string& dir, const std::string& name) {
  std::vector<std::string> ids;
  std::vector<uint64_t> pids;
  for (size_t i = 0; i < 2; ++i) {
    auto mark = dir + "/" + name + std::to_string(i);
    auto r = http_request(ports[i % ports.size()], "POST", "/api/v1/runs?start=true",
                          exec_manifest(command_workflow("echo $PPID >> " + mark + "; sleep 20"),
                                        dir));
    REQUIRE(r.status == 201);
    ids.push_back(json_string_field(r.body, "id"));
  }
  for (size_t i = 0; i < 2; ++i) {
    auto mark = dir + "/" + name + std::to_string(i);
    REQUIRE(eventually([&] { return stamps(mark).size() == 1; }));
    pids.push_back(stamps(mark)[0]);
  }
  return {ids, pids};
}

}  // namespace

TEST_CASE("three servers on one PostgreSQL store act as one orchestrator: any node creates, "
          "answers, streams and executes, at most max_concurrent_runs run cluster-wide, a dead "
          "node's run ends terminated, and the authority's SIGKILL loses no run",
          "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir dirs, work;
  auto node = [&](const std::string& id) {
    return std::make_unique<server_process>(
        dirs.path + "/" + id,
        std::vector<std::string>{"--store", url, "--max-concurrent-runs", "2", "--node-id", id});
  };
  auto alpha = node("alpha");  // first: the authority
  INFO(alpha->log());
  REQUIRE(alpha->started());
  auto beta = node("beta");
  auto gamma = node("gamma");
  INFO(beta->log());
  INFO(gamma->log());
  REQUIRE(beta->started());
  REQUIRE(gamma->started());
  CHECK(beta->log().find("follower: node alpha is the queue authority (term 1)") !=
        std::string::npos);
  const std::vector<uint16_t> ports = {alpha->port(), beta->port(), gamma->port()};
  auto info = [](uint16_t port) { return http_request(port, "GET", "/api/v1/system/info").body; };
  for (auto port : ports)
    CHECK(eventually([&] {
      auto body = info(port);
      return body.find("\"authority\":\"alpha\",\"term\":1,") != std::string::npos &&
             body.find("{\"id\":\"gamma\",\"address\":\"127.0.0.1:" +
                       std::to_string(gamma->port()) + "\",\"role\":\"follower\",\"slots\":2,") !=
                 std::string::npos;
    }));

  // A run created on beta, executed by alpha, streamed on gamma: replay,
  // then live, every seq once, in order, to run.completed.
  auto r = http_request(beta->port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("sleep 0.5"), work.path));
  REQUIRE(r.status == 201);
  auto streamed = json_string_field(r.body, "id");
  {
    sse_client stream(gamma->port(), "/api/v1/runs/" + streamed + "/attach?since_seq=1");
    REQUIRE(stream.status() == 200);
    REQUIRE(stream.wait_closed(std::chrono::seconds(30)));
    const auto& frames = stream.frames();
    REQUIRE_FALSE(frames.empty());
    for (size_t i = 0; i < frames.size(); ++i) CHECK(frames[i].id == i + 1);
    CHECK(frames.back().data.find("\"event\":\"run.completed\"") != std::string::npos);
    CHECK(frames.size() ==
          data_items(http_request(alpha->port(), "GET",
                                  "/api/v1/runs/" + streamed + "/events?limit=1000")
                         .body)
              .size());
  }

  // Two long runs take both slots of the cluster, one on the authority and
  // one on a follower (each command writes the pid of the server that
  // spawned it); six more queue behind them, created round-robin on the
  // three nodes, positions 1..6.
  std::vector<std::string> held;
  std::vector<uint64_t> executors;
  std::tie(held, executors) = start_long_runs(ports, work.path, "held");
  std::vector<std::string> queued;
  CHECK(executors[0] != executors[1]);  // runs on two nodes
  CHECK((executors[0] == static_cast<uint64_t>(alpha->pid()) ||
         executors[1] == static_cast<uint64_t>(alpha->pid())));
  for (int i = 0; i < 6; ++i) {
    auto mark = work.path + "/q" + std::to_string(i);
    r = http_request(ports[i % 3], "POST", "/api/v1/runs?start=true",
                     exec_manifest(command_workflow("date +%s%N >> " + mark +
                                                    "; sleep 0.3; date +%s%N >> " + mark),
                                   work.path));
    REQUIRE(r.status == 201);
    CHECK(json_uint_field(r.body, "queue_position") == static_cast<uint64_t>(i + 1));
    queued.push_back(json_string_field(r.body, "id"));
  }
  // Whichever node answers, the same positions.
  for (auto port : ports)
    for (size_t i = 0; i < queued.size(); ++i)
      CHECK(json_uint_field(http_request(port, "GET", "/api/v1/runs/" + queued[i]).body,
                            "queue_position") == i + 1);
  for (int i = 0; i < 6; ++i) CHECK(stamps(work.path + "/q" + std::to_string(i)).empty());

  // The authority dies while both slots are taken: a follower takes over
  // within 10 s.
  auto killed = std::chrono::steady_clock::now();
  alpha->kill();
  std::string lead_id;
  REQUIRE(eventually(
      [&] {
        for (auto port : {beta->port(), gamma->port()}) {
          auto body = info(port);
          for (const char* id : {"beta", "gamma"})
            if (body.find(std::string("\"cluster\":{\"node\":\"") + id + "\",\"authority\":\"" +
                          id + "\",\"term\":2,") != std::string::npos)
              lead_id = id;
        }
        return !lead_id.empty();
      },
      std::chrono::seconds(10)));
  CHECK(std::chrono::steady_clock::now() - killed < 10s);
  auto& lead = lead_id == "beta" ? beta : gamma;
  auto& other = lead_id == "beta" ? gamma : beta;

  // The held runs ended with the old authority (as a restart ends them);
  // every queued run executes, once, in queue order, never more than two at
  // a time, on the two survivors.
  for (const auto& id : held)
    for (auto port : {beta->port(), gamma->port()}) {
      CHECK(eventually([&] { return field_on(port, id, "status") == "failed"; }));
      CHECK(field_on(port, id, "status_reason") == "terminated");
    }
  for (const auto& id : queued)
    CHECK(eventually(
        [&] { return field_on(other->port(), id, "status") == "completed"; },
        std::chrono::seconds(30)));
  CHECK(field_on(lead->port(), streamed, "status") == "completed");
  std::vector<std::pair<uint64_t, uint64_t>> spans;  // [start, end] of each queued run
  for (int i = 0; i < 6; ++i) {
    auto s = stamps(work.path + "/q" + std::to_string(i));
    REQUIRE(s.size() == 2);  // once: one start, one end
    spans.emplace_back(s[0], s[1]);
  }
  for (int i = 0; i < 2; ++i) CHECK(stamps(work.path + "/held" + std::to_string(i)).size() == 1);
  for (const auto& [start, end] : spans) {
    int running = 0;
    for (const auto& other_span : spans)
      running += other_span.first <= start && start < other_span.second;
    CHECK(running <= 2);
  }
  // FIFO with two slots: run i+2 starts only after a slot freed, long
  // after run i started.
  for (size_t i = 0; i + 2 < spans.size(); ++i) CHECK(spans[i].first < spans[i + 2].first);

  // Two more long runs, one on each survivor; then the follower dies: its
  // run ends failed/terminated naming the node, the other goes on, and the
  // freed slot takes the next run.
  std::vector<std::string> late;
  std::vector<uint64_t> late_pids;
  std::tie(late, late_pids) = start_long_runs({other->port()}, work.path, "late");
  REQUIRE(late_pids[0] != late_pids[1]);
  size_t on_other = late_pids[0] == static_cast<uint64_t>(other->pid()) ? 0 : 1;
  REQUIRE(late_pids[on_other] == static_cast<uint64_t>(other->pid()));
  r = http_request(lead->port(), "POST", "/api/v1/runs?start=true",
                   exec_manifest(command_workflow("true"), work.path));
  REQUIRE(r.status == 201);
  auto next_up = json_string_field(r.body, "id");
  CHECK(json_uint_field(r.body, "queue_position") == 1);
  const std::string other_id = lead_id == "beta" ? "gamma" : "beta";
  other->kill();
  CHECK(eventually([&] { return field_on(lead->port(), late[on_other], "status") == "failed"; }));
  auto lost = http_request(lead->port(), "GET", "/api/v1/runs/" + late[on_other]).body;
  CHECK(json_string_field(lost, "status_reason") == "terminated");
  CHECK(lost.find("node " + other_id + ", which executed the run, went away") !=
        std::string::npos);
  CHECK(eventually([&] { return field_on(lead->port(), next_up, "status") == "completed"; }));
  CHECK(field_on(lead->port(), late[1 - on_other], "status") == "running");

  // Creates go on through the new authority.
  r = http_request(lead->port(), "POST", "/api/v1/runs",
                   exec_manifest(command_workflow("true"), work.path, true));
  CHECK(r.status == 201);
}

TEST_CASE("a server that lost the PostgreSQL store's authority commits nothing more",
          "[e2e][postgres]") {
  FABRO_REQUIRE_POSTGRES(pg);
  auto url = pg->fresh_database();
  temp_dir dir;
  server_process server(dir.path + "/data", {"--store", url, "--node-id", "old"});
  INFO(server.log());
  REQUIRE(server.started());
  REQUIRE(http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest()).status == 201);
  // Another node took the authority while this one still runs (a partition
  // as the database sees it): the term moves on, the fence refuses.
  REQUIRE(sql_value(url, "UPDATE fabro_authority SET term = term + 1, node_id = 'new'"));
  auto refused = http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest());
  CHECK(refused.status == 503);
  CHECK(sql_value(url, "SELECT count(*) FROM runs") == "1");
}
