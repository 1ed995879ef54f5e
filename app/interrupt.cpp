#include "app/interrupt.hpp"

#include <signal.h>

namespace fabro::app {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) { g_interrupted = true; }

}  // namespace

void watch_interrupts(bool second_kills) {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &sigs, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = second_kills ? SA_RESETHAND : 0;
  sigaction(SIGINT, &sa, nullptr);
}

const std::atomic<bool>& interrupt_flag() { return g_interrupted; }

}  // namespace fabro::app
