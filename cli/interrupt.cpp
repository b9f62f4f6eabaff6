#include "interrupt.hpp"

#include <csignal>

namespace bilevel::cli {

namespace {

// Only what is async-signal-safe: a lock-free atomic store and a sig_atomic_t.
std::atomic<bool> g_interrupted{false};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free);

struct sigaction g_previous_int, g_previous_term;

extern "C" void on_signal(int signal) {
  g_signal = signal;
  g_interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

InterruptHandler::InterruptHandler() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // The default action comes back after the first signal: a second Ctrl-C ends the process.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptHandler::~InterruptHandler() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

const std::atomic<bool>* InterruptHandler::flag() const { return &g_interrupted; }

int InterruptHandler::signal() const { return g_signal; }

}  // namespace bilevel::cli
