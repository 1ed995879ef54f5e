// Writes a store for the restart benchmark (issue 13): RUNS runs made from
// a manifest the way POST /api/v1/runs makes them (actors::prepare_run),
// alternately queued (with start sequence 1, 2, … and run.queued) and
// completed (run.running … run.completed), committed in batches straight
// to SQLite, as a long-lived server would leave them. Prints the queued
// ids in queue order to QUEUED_OUT, one per line.
// Usage: bench_seed_store DATA_DIR RUNS MANIFEST QUEUED_OUT
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "actors/id_source.hpp"
#include "actors/run_intake.hpp"
#include "actors/run_submission.hpp"
#include "model/run_queueing.hpp"
#include "store/sqlite_run_store.hpp"

using namespace fabro;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DATA_DIR RUNS MANIFEST QUEUED_OUT\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  uint64_t runs = std::strtoull(argv[2], nullptr, 10);
  std::ifstream in(argv[3]);
  std::stringstream body;
  body << in.rdbuf();
  ::mkdir(dir.c_str(), 0700);
  auto store = store::sqlite_run_store::open(dir + "/runs.db");
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().detail.c_str());
    return 1;
  }
  std::ofstream out(argv[4]);
  std::vector<store::run_write> batch;
  uint64_t seq = 0;
  for (uint64_t i = 0; i < runs; ++i) {
    auto run = actors::prepare_run(body.str());
    if (!run) {
      std::fprintf(stderr, "manifest: %s\n", run.error().detail.c_str());
      return 1;
    }
    std::vector<model::run_event> more;
    if (i % 2 == 0) {
      auto q = model::queue_run(run->record, ++seq, false);
      run->record = q.record;
      more.push_back(std::move(q.event));
      out << run->record.id << '\n';
    } else {
      for (const char* name : {"run.starting", "run.running", "run.completed"}) {
        model::run_event e;
        e.run_id = run->record.id;
        e.seq = ++run->record.last_seq;
        e.event = name;
        more.push_back(std::move(e));
      }
      run->record.status = model::run_status::completed;
      run->record.reason = model::status_reason::completed;
      run->record.duration_ms = 5;
    }
    actors::stamp_events(more);
    for (auto& e : more) run->events.push_back(std::move(e));
    run->envelopes.clear();  // rendered by the store
    batch.push_back(actors::create_write(*run));
    if (batch.size() == 5000 || i + 1 == runs) {
      auto r = (*store)->commit(batch);
      if (!r) {
        std::fprintf(stderr, "commit: %s\n", r.error().detail.c_str());
        return 1;
      }
      batch.clear();
    }
  }
  return 0;
}
