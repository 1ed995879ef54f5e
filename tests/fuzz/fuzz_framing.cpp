// libFuzzer target: the framing gate's parser (http/request_framer.hpp).
// Properties, not just "no crash": the same bytes framed in one piece and
// cut into the segments the input's first byte picks give the same
// requests (and both or neither an error); every canonical request frames again into
// exactly itself. Built and run by scripts/fuzz.sh (and bounded in CI).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/request_framer.hpp"

using namespace fabro::http;

namespace {

struct outcome {
  std::vector<framed_request> requests;
  int status = 0;
};

outcome frame(const uint8_t* data, size_t size, size_t step) {
  request_framer f({1024, 4096});
  outcome o;
  for (size_t at = 0; at < size;) {
    size_t n = step ? std::min(step, size - at) : size - at;
    if (!f.feed(reinterpret_cast<const char*>(data) + at, n, o.requests)) {
      o.status = f.error_status();
      break;
    }
    at += n;
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = 1 + data[0] % 13;
  auto whole = frame(data + 1, size - 1, 0);
  auto cut = frame(data + 1, size - 1, step);
  // Which error is found first may depend on how much had arrived (a limit
  // before a bad byte), whether there is one may not.
  if ((whole.status != 0) != (cut.status != 0) || whole.requests.size() != cut.requests.size())
    std::abort();
  for (size_t i = 0; i < whole.requests.size(); ++i) {
    const auto& r = whole.requests[i];
    if (r.bytes != cut.requests[i].bytes || r.keep_alive != cut.requests[i].keep_alive)
      std::abort();
    auto again = frame(reinterpret_cast<const uint8_t*>(r.bytes.data()), r.bytes.size(), 0);
    if (again.status != 0 || again.requests.size() != 1 || again.requests[0].bytes != r.bytes)
      std::abort();
  }
  return 0;
}
