// Benchmark driver (hidden from ctest: tag [.exec_load]; run it with
// benchmarks/exec_load.sh). Measures orchestrator create latency — the
// durable-create path every POST /runs takes — on a SQLite store, first
// idle, then while N runs execute `sleep 0.1` command stages. Prints figures;
// asserts nothing about speed (STYLE §11).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/actors/execution_harness.hpp"

using namespace fabro;
using namespace fabro::testing;

namespace {

struct latencies {
  std::vector<double> ms;
  double pct(double p) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  }
};

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

}  // namespace

TEST_CASE("create latency while runs execute sleep stages", "[.exec_load]") {
  const int runs = env_int("EXEC_LOAD_RUNS", 200);
  const int stages = env_int("EXEC_LOAD_STAGES", 10);
  temp_dir dir;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  actors::orchestrator_config oc{actors::sqlite_store_factory(dir.str() + "/runs.db")};
  // Every run executes at once: the load is the point, not admission.
  oc.queue.max_concurrent_runs = static_cast<uint64_t>(runs);
  auto orch = actors::spawn_orchestrator(sys, oc);
  REQUIRE(orch);
  caf::scoped_actor self{sys};
  auto create = [&](const std::string& manifest) {
    auto run = actors::prepare_run(manifest);
    REQUIRE(run);
    auto t0 = std::chrono::steady_clock::now();
    std::string id;
    self->request(*orch, 30s, actors::create_atom::value, *run)
        .receive([&](actors::create_result& r) { id = r.record.id; },
                 [&](caf::error&) { FAIL("create failed"); });
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    return std::make_pair(id, ms.count());
  };
  std::string chain = "start";
  std::string nodes;
  for (int i = 0; i < stages; ++i) {
    nodes += " s" + std::to_string(i) + " [shape=parallelogram, script=\"sleep 0.1\"]";
    chain += " -> s" + std::to_string(i);
  }
  auto work = workflow_manifest("digraph L { start [shape=Mdiamond] exit [shape=Msquare]" +
                                    nodes + " " + chain + " -> exit }",
                                dir.str());
  // The create probe: a run that is only submitted (like most POSTs).
  auto probe = workflow_manifest("digraph P { start [shape=Mdiamond] exit [shape=Msquare] "
                                 "start -> exit }",
                                 dir.str());

  latencies idle;
  for (int i = 0; i < 500; ++i) idle.ms.push_back(create(probe).second);

  std::vector<std::string> ids;
  for (int i = 0; i < runs; ++i) ids.push_back(create(work).first);
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& id : ids)
    self->request(*orch, 30s, actors::start_atom::value, id)
        .receive([](model::run_record&) {}, [](caf::error&) { FAIL("start failed"); });
  latencies loaded;
  size_t finished = 0;
  while (finished < ids.size()) {
    for (int i = 0; i < 50; ++i) loaded.ms.push_back(create(probe).second);
    // One read of the store's committed records tells how many are done.
    self->request(*orch, 30s, actors::list_atom::value, uint64_t{0}, uint64_t{100000})
        .receive(
            [&](actors::run_page& page) {
              finished = 0;
              for (const auto& r : page.runs) finished += model::is_terminal(r.status);
            },
            [](caf::error&) {});
  }
  auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("exec_load: %d runs x %d stages of `sleep 0.1`, 2 CAF threads, SQLite store\n",
              runs, stages);
  std::printf("idle   create latency ms: p50 %.2f  p99 %.2f  max %.2f  (n=%zu)\n",
              idle.pct(0.5), idle.pct(0.99), idle.pct(1.0), idle.ms.size());
  std::printf("loaded create latency ms: p50 %.2f  p99 %.2f  max %.2f  (n=%zu)\n",
              loaded.pct(0.5), loaded.pct(0.99), loaded.pct(1.0), loaded.ms.size());
  std::printf("all runs finished in %.2f s (ideal %.2f s)\n", wall, stages * 0.1);
  caf::anon_send_exit(*orch, caf::exit_reason::user_shutdown);
}
