// Ctrl-C for the client commands (submit --follow, bench). main() blocks
// SIGINT in every thread for serve's sigwait; a client command that wants
// to react to Ctrl-C unblocks it and gets a flag instead of dying.
//
// Process-wide; call watch_interrupts() on the main thread before it
// starts other threads (they inherit the mask).
#pragma once

#include <atomic>

namespace fabro::app {

// Unblocks SIGINT; each one sets the flag. With `second_kills`, the first
// Ctrl-C only sets the flag and a second one ends the process as usual.
void watch_interrupts(bool second_kills);

// True once a Ctrl-C arrived after watch_interrupts().
const std::atomic<bool>& interrupt_flag();
inline bool interrupted() { return interrupt_flag().load(); }

}  // namespace fabro::app
