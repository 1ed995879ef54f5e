// CPU time of what an HTTP thread does with one POST /api/v1/runs body
// before handing it to the journal (actors::prepare_run), and of each of
// its steps, on benchmarks/manifest.json (the body submit_bench.sh sends).
// Prints the median per call in thread CPU time over many iterations.
// Usage: bench_prepare_run [manifest.json] [iterations]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "actors/id_source.hpp"
#include "actors/run_submission.hpp"
#include "model/run_definition.hpp"
#include "model/run_json.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

using namespace fabro;

namespace {

double thread_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// Median µs per call of `f` over `rounds` rounds of `batch` calls.
double median_us(const std::function<void()>& f, int iterations) {
  const int batch = 50;
  std::vector<double> per_call;
  for (int r = 0; r < std::max(1, iterations / batch); ++r) {
    double t0 = thread_us();
    for (int i = 0; i < batch; ++i) f();
    per_call.push_back((thread_us() - t0) / batch);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "benchmarks/manifest.json";
  int iterations = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string body = ss.str();
  if (body.empty()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 2;
  }
  auto manifest = model::parse_manifest(body);
  auto def = manifest ? model::resolve_bundle(*manifest) : model::result<model::run_definition>(
                                                               manifest.error());
  auto run = actors::prepare_run(body);
  if (!run || !def) {
    std::fprintf(stderr, "the manifest does not prepare\n");
    return 1;
  }
  std::printf("bench_prepare_run: %s (%zu bytes), %d iterations, median thread CPU per call\n",
              path.c_str(), body.size(), iterations);
  auto row = [&](const char* what, const std::function<void()>& f) {
    std::printf("  %-34s %8.2f us\n", what, median_us(f, iterations));
  };
  row("prepare_run (all of it)", [&] { auto r = actors::prepare_run(body); });
  row("  parse_manifest", [&] { auto m = model::parse_manifest(body); });
  row("  resolve_bundle", [&] { auto d = model::resolve_bundle(*manifest); });
  row("  to_json(definition)", [&] { auto j = model::to_json(*def); });
  row("  new_run_id", [&] { auto id = actors::new_run_id(); });
  row("  status_response_json (201 body)", [&] { auto j = model::status_response_json(run->record); });
  row("  envelope_json x2 (the two events)", [&] {
    for (const auto& e : run->events) auto j = model::envelope_json(e);
  });
  row("  copy of the body", [&] { std::string copy = body; });
  return 0;
}
