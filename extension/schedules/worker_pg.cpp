// The schedules' workers' shared pieces (worker_pg.hpp).
#include "schedules/worker_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"
}

#include <algorithm>

namespace autoreport::schedules {

void in_transaction(const char* activity, void (*f)(void*), void* arg) {
  const MemoryContext saved = CurrentMemoryContext;
  pg::guard([&] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, activity);
  });
  MemoryContextSwitchTo(saved);
  try {
    f(arg);
  } catch (...) {
    pg::guard([] {
      AbortCurrentTransaction();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
    MemoryContextSwitchTo(saved);
    throw;
  }
  pg::guard([] {
    if (ActiveSnapshotSet()) {
      PopActiveSnapshot();
    }
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
  });
  MemoryContextSwitchTo(saved);
}

void worker_loop_top() {
  pg::guard([] {
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
  });
}

void wait_latch(long timeout_ms) {
  pg::guard([&] {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, std::max(timeout_ms, 1L),
                    PG_WAIT_EXTENSION);
  });
}

} // namespace autoreport::schedules
