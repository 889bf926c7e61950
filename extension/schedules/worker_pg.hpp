// What the schedules' background workers (a database's scheduler, a job's run) share: transactions of
// their own, and the settings they need whatever postgresql.conf says.
#pragma once

#include "common/boundary_pg.hpp"

#include <string>

namespace autoreport::schedules {

// Runs f() in a transaction of its own, committed when f returns and rolled back when it throws (the
// exception goes on). Leaves the current memory context as it found it.
void in_transaction(const char* activity, void (*f)(void*), void* arg);

template <typename F> void in_transaction(const char* activity, F&& f) {
  in_transaction(
      activity, [](void* p) { (*static_cast<F*>(p))(); }, &f);
}

// Looks at the latch: clears it, handles a pending reload of the configuration, checks interrupts.
void worker_loop_top();

// Sleeps on the latch for at most timeout_ms (at least 1 ms).
void wait_latch(long timeout_ms);

} // namespace autoreport::schedules
