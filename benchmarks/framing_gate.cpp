// CPU cost of the framing gate (http/request_framer.hpp) per request: what
// every request now pays before Pistache's parser sees it. Median thread CPU
// time per request over many batches, for a wrk-style GET /health, a 1.1 KB
// POST /api/v1/runs with Content-Length, the same body chunked and written
// in 64-byte segments, and 16 pipelined GETs in one read.
// Usage: bench_framing_gate [batches=200] [requests per batch=2000]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "http/request_framer.hpp"

using namespace fabro::http;

namespace {

double cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// Median CPU µs per request of framing `text` (holding `per_text` requests)
// on one connection, cut into `segment`-byte reads (0 = one read).
double per_request(const std::string& text, size_t per_text, size_t segment, int batches, int n) {
  std::vector<double> samples;
  std::vector<framed_request> out;
  size_t total = 0;
  for (int b = 0; b < batches; ++b) {
    request_framer f({16u << 10, 2u << 20});
    double t0 = cpu_us();
    for (int i = 0; i < n; ++i) {
      for (size_t at = 0; at < text.size();) {
        size_t len = segment ? std::min(segment, text.size() - at) : text.size() - at;
        if (!f.feed(text.data() + at, len, out)) std::abort();
        at += len;
      }
      total += out.size();
      out.clear();
    }
    samples.push_back((cpu_us() - t0) / (n * static_cast<double>(per_text)));
  }
  if (total != static_cast<size_t>(batches) * n * per_text) std::abort();
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int batches = argc > 1 ? std::atoi(argv[1]) : 200;
  int n = argc > 2 ? std::atoi(argv[2]) : 2000;
  std::string health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:32276\r\n\r\n";
  std::string body = "{\"version\":1,\"cwd\":\"/tmp\",\"target\":{\"identifier\":\"w\",\"path\":"
                     "\"w.fabro\"},\"workflows\":{\"w.fabro\":{\"source\":\"" +
                     std::string(1000, 'x') + "\",\"files\":{}}}}";
  std::string post = "POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1:32276\r\n"
                     "Authorization: Bearer fabro_dev_0011223344556677\r\n"
                     "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string chunked = "POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1:32276\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += 256) {
    auto piece = body.substr(at, 256);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    chunked += size + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  std::string pipelined;
  for (int i = 0; i < 16; ++i) pipelined += health;
  std::printf("framing gate, median CPU per request (%d batches of %d)\n", batches, n);
  std::printf("GET /health, one read          %7.3f us\n", per_request(health, 1, 0, batches, n));
  std::printf("POST 1.1 KB, Content-Length    %7.3f us\n", per_request(post, 1, 0, batches, n));
  std::printf("POST 1.1 KB chunked, 64 B reads %6.3f us\n",
              per_request(chunked, 1, 64, batches, n / 4));
  std::printf("16 pipelined GETs in one read  %7.3f us\n",
              per_request(pipelined, 16, 0, batches, n / 16));
  return 0;
}
