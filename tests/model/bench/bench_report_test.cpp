#include "model/bench/bench_report.hpp"

#include <catch2/catch.hpp>

#include "model/bench/sse_decoder.hpp"

using namespace fabro::model;

TEST_CASE("the JSON report names every count, errors included", "[model]") {
  bench_report r;
  r.target = "POST http://127.0.0.1:1/api/v1/runs";
  r.connections = 4;
  r.threads = 1;
  r.duration_s = 2;
  r.counts.requests = 11;
  r.counts.status_codes = {{201, 10}};
  r.counts.socket_errors.timeout = 1;
  for (int i = 1; i <= 10; ++i) r.counts.latency_ns.record(i * 1000000);
  auto json = format_report_json(r);
  CHECK(json.find("\"mode\":\"closed\"") != std::string::npos);
  CHECK(json.find("\"rate\":null") != std::string::npos);
  CHECK(json.find("\"requests\":11,\"acknowledged\":10") != std::string::npos);
  CHECK(json.find("\"runs_per_second\":5.0") != std::string::npos);
  CHECK(json.find("\"status_codes\":{\"201\":10}") != std::string::npos);
  CHECK(json.find("\"socket_errors\":1") != std::string::npos);
  CHECK(json.find("\"latency_ms\":{\"p50\":") != std::string::npos);  // ~5 (bucket midpoint)
  CHECK(json.find("\"max\":10.000,") != std::string::npos);
  CHECK(json.find("follow") == std::string::npos);
  CHECK(r.errors() == 1);
  auto text = format_report_text(r);
  CHECK(text.find("201: 10") != std::string::npos);
  CHECK(text.find("timeout 1") != std::string::npos);
}

TEST_CASE("non-2xx answers and unfinished followed runs are errors", "[model]") {
  bench_report r;
  r.counts.status_codes = {{201, 3}, {401, 2}};
  r.follow = follow_report{};
  r.follow->unfinished = 1;
  CHECK(r.counts.acknowledged() == 3);
  CHECK(r.counts.non_2xx() == 2);
  CHECK(r.errors() == 3);
  CHECK(format_report_json(r).find("\"follow\":{\"completed\":0") != std::string::npos);
}

TEST_CASE("merging load counts adds requests, codes, errors and latencies", "[model]") {
  load_counts a, b;
  a.requests = 2;
  a.status_codes = {{201, 2}};
  a.latency_ns.record(5);
  b.requests = 3;
  b.status_codes = {{201, 1}, {503, 1}};
  b.socket_errors.read = 1;
  b.latency_ns.record(7);
  a.merge(b);
  CHECK(a.requests == 5);
  CHECK(a.status_codes[201] == 3);
  CHECK(a.status_codes[503] == 1);
  CHECK(a.socket_errors.total() == 1);
  CHECK(a.latency_ns.count() == 2);
}

TEST_CASE("SSE data lines become messages, comments and ids are skipped", "[model]") {
  sse_decoder d;
  CHECK(d.feed(": keep-alive\n\nid: 1\nda").empty());
  auto got = d.feed("ta: {\"a\":1}\r\n\r\ndata: x\ndata: y\n\n");
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "{\"a\":1}");
  CHECK(got[1] == "x\ny");
}
