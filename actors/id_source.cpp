#include "actors/id_source.hpp"

#include <chrono>
#include <random>

#include "model/ulid.hpp"

namespace fabro::actors {
namespace {

std::array<uint8_t, 10> random_bytes() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::array<uint8_t, 10> out;
  uint64_t a = gen(), b = gen();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(a >> (8 * i));
  out[8] = static_cast<uint8_t>(b);
  out[9] = static_cast<uint8_t>(b >> 8);
  return out;
}

}  // namespace

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_run_id() {
  return model::make_ulid(static_cast<uint64_t>(now_ms()), random_bytes());
}

void stamp_events(std::vector<model::run_event>& events) {
  for (auto& e : events) {
    if (e.ts_ms == 0) e.ts_ms = now_ms();
    if (e.id.empty()) e.id = model::make_uuid_v7(static_cast<uint64_t>(e.ts_ms), random_bytes());
  }
}

}  // namespace fabro::actors
