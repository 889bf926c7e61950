// What a signal does while the client works (see interrupt.hpp).
#include "cli/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace autoreport::cli::interrupt {

namespace {

std::atomic<const char*> temp_file{nullptr};
std::atomic<PGcancel*> cancel_handle{nullptr};

extern "C" void on_signal(int sig) {
  if (PGcancel* c = cancel_handle.load()) {
    char errbuf[256];
    PQcancel(c, errbuf, sizeof errbuf);
  }
  if (const char* path = temp_file.load()) {
    unlink(path);
  }
  // The default action ends the process with the signal's status (130 for Ctrl-C in a shell).
  signal(sig, SIG_DFL);
  raise(sig);
}

} // namespace

void install() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    sigaction(sig, &sa, nullptr);
  }
}

void set_temp_file(const char* path) {
  temp_file.store(path);
}

void set_cancel(PGcancel* cancel) {
  cancel_handle.store(cancel);
}

} // namespace autoreport::cli::interrupt
