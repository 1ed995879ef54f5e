// Clock and randomness for ids and timestamps: the impure half of
// model/ulid.hpp and model/run_event.hpp. Thread-safe (thread-local
// generators seeded from the OS).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/run_event.hpp"

namespace fabro::actors {

// Milliseconds since the Unix epoch, from the system clock.
int64_t now_ms();

// A fresh ULID for a server-allocated run id.
std::string new_run_id();

// Gives every event without an id a UUIDv7, and without a timestamp now.
void stamp_events(std::vector<model::run_event>& events);

}  // namespace fabro::actors
