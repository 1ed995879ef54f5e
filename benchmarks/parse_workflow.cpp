// Parse + validate time of a generated 1,000-node .fabro workflow (issue 3:
// "well under a millisecond per 10 nodes"). Prints the median of many
// iterations for check_workflow() (parse, @file inlining, every lint rule),
// parse alone, and the whole manifest bundle (templates, settings, DOT
// write-back), in thread CPU time. Usage: bench_parse_workflow [nodes] [iterations]
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "model/workflow/graph_builder.hpp"
#include "model/workflow/manifest_bundle.hpp"
#include "model/workflow/workflow_check.hpp"

using namespace fabro::model;

namespace {

// start -> n1 -> … -> exit; every 10th node a diamond with a conditional
// edge plus a fallback, the rest commands, prompts and agents with typical
// attributes, one `@file` prompt and one template per 100 nodes.
std::string generate(int nodes) {
  std::string s = "digraph Big {\n  graph [goal=\"Benchmark\", default_max_retries=1]\n"
                  "  start [shape=Mdiamond]\n  exit [shape=Msquare]\n";
  for (int i = 1; i <= nodes - 2; ++i) {
    std::string id = "n" + std::to_string(i);
    if (i % 10 == 0) {
      s += "  " + id + " [shape=diamond, label=\"Check " + std::to_string(i) + "\"]\n";
    } else if (i % 3 == 0) {
      s += "  " + id + " [shape=parallelogram, script=\"echo step " + std::to_string(i) +
           "\", timeout=\"60s\", max_retries=2]\n";
    } else if (i % 100 == 1) {
      s += "  " + id + " [shape=tab, prompt=\"@prompts/p.md\"]\n";
    } else {
      s += "  " + id + " [label=\"Work " + std::to_string(i) + "\", prompt=\"Do {{ goal }} part " +
           std::to_string(i) + "\", goal_gate=true, retry_target=n1]\n";
    }
  }
  s += "  start -> n1\n";
  for (int i = 1; i < nodes - 2; ++i) {
    std::string a = "n" + std::to_string(i), b = "n" + std::to_string(i + 1);
    if (i % 10 == 0) {
      s += "  " + a + " -> " + b + " [condition=\"outcome=succeeded && context.x != 1\"]\n";
      s += "  " + a + " -> n1 [label=\"retry\"]\n";
    } else {
      s += "  " + a + " -> " + b + "\n";
    }
  }
  s += "  n" + std::to_string(nodes - 2) + " -> exit\n}\n";
  return s;
}

double median_us(int iterations, const std::function<void()>& f) {
  std::vector<double> t;
  for (int i = 0; i < iterations; ++i) {
    // Thread CPU time: the 2-core machine is shared, wall time would count
    // other processes' slices.
    timespec a{}, b{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    f();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    t.push_back((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 1000;
  int iterations = argc > 2 ? std::atoi(argv[2]) : 200;
  std::string source = generate(nodes);
  workflow_check_config cfg;
  cfg.files = {{"prompts/p.md", "Prompt text"}};
  auto check = check_workflow(source, cfg);
  if (!check.ok() || !check.graph || static_cast<int>(check.graph->nodes().size()) != nodes) {
    std::fprintf(stderr, "generated workflow is not valid:\n%s",
                 render_diagnostics(check.diagnostics, "big.fabro").c_str());
    return 1;
  }
  run_manifest m;
  m.cwd = "/tmp";
  m.target = {"big", "wf/big.fabro"};
  m.workflows["wf/big.fabro"].source = source;
  m.workflows["wf/big.fabro"].files["wf/prompts/p.md"].content = "Prompt for {{ goal }}";
  if (!resolve_bundle(m)) return 1;

  median_us(10, [&] { check_workflow(source, cfg); });  // warm-up
  double parse = median_us(iterations, [&] { parse_workflow(source); });
  double full = median_us(iterations, [&] { check_workflow(source, cfg); });
  double bundle = median_us(iterations, [&] { resolve_bundle(m); });
  std::printf("workflow: %d nodes, %zu edges, %zu bytes; median CPU time of %d iterations\n", nodes,
              check.graph->edges().size(), source.size(), iterations);
  std::printf("parse only          %9.1f us total  %6.2f us per 10 nodes\n", parse,
              parse * 10 / nodes);
  std::printf("parse + validate    %9.1f us total  %6.2f us per 10 nodes\n", full,
              full * 10 / nodes);
  std::printf("manifest bundle     %9.1f us total  %6.2f us per 10 nodes\n", bundle,
              bundle * 10 / nodes);
  return 0;
}
