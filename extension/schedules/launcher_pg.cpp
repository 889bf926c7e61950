// The launcher: one background worker for the whole server (registered when autoreport is preloaded),
// connected to no database. It keeps one scheduler running in every database that may have jobs: it
// lists pg_database, starts a scheduler where none runs, and sleeps on its latch until a database's
// jobs change (schedule(), resume(), run_now() set it at commit) or the next look at pg_database, a
// minute later, which finds databases created since. A database's scheduler that ends because the
// database has no job, or no autoreport, is started again when its jobs change, or after five minutes.
// None is started in a database that a statement needs to itself (DROP DATABASE, utility_pg.cpp).
#include "schedules/shared_pg.hpp"
#include "common/memory_pg.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

AUTOREPORT_EXPORT void autoreport_launcher_main(Datum);
}

#include <algorithm>
#include <vector>

namespace autoreport::schedules {

namespace {

constexpr long kRescanMs = 60 * 1000;        // look at pg_database again
constexpr long kIdleRetryMs = 5 * 60 * 1000; // start an idle database's scheduler again
constexpr long kStartingStaleMs = 10 * 1000; // a scheduler registered but not running after this: failed
constexpr long kFailedRetryMs = 10 * 1000;   // after a scheduler ended with an error

// The databases a scheduler may connect to: not templates, accepting connections.
std::vector<Oid> list_databases() {
  std::vector<Oid> out;
  out.reserve(16);
  struct Found {
    Oid oids[kMaxDatabases * 4];
    int n;
  };
  Found* found = static_cast<Found*>(pg::guard([] { return palloc0(sizeof(Found)); }));
  pg::guard([found] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tup;
    while ((tup = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
      const Form_pg_database db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tup));
      if (db->datistemplate || !db->datallowconn || db->datconnlimit == DATCONNLIMIT_INVALID_DB) {
        continue;
      }
      if (found->n < static_cast<int>(sizeof found->oids / sizeof found->oids[0])) {
        found->oids[found->n++] = db->oid;
      }
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
  });
  out.assign(found->oids, found->oids + found->n);
  pfree(found);
  return out;
}

struct Start {
  Oid database;
  uint64 generation;
};

// Decides, under the lock, which databases get a scheduler now; frees the slots of dropped databases.
std::vector<Start> plan_starts(const std::vector<Oid>& databases, bool rescan, bool& full) {
  std::vector<Start> starts;
  full = false;
  const TimestampTz now = GetCurrentTimestamp();
  SchedulesLock lock;
  SchedulesShared* s = shared();
  if (rescan) {
    for (DatabaseSlot& slot : s->databases) {
      if (slot.database != InvalidOid && slot.state != SchedulerState::running &&
          slot.state != SchedulerState::starting && slot.held == 0 &&
          std::find(databases.begin(), databases.end(), slot.database) == databases.end()) {
        slot.database = InvalidOid; // dropped
      }
    }
  }
  for (const Oid db : databases) {
    DatabaseSlot* slot = database_slot(db, false);
    if (slot == nullptr) {
      if (!rescan) {
        continue;
      }
      slot = database_slot(db, true);
      if (slot == nullptr) {
        full = true;
        continue;
      }
    }
    // A held database (DROP DATABASE and the like are running, utility_pg.cpp) gets no scheduler.
    if (slot->held > 0) {
      continue;
    }
    bool start = false;
    switch (slot->state) {
    case SchedulerState::running:
      break;
    case SchedulerState::starting:
      start = TimestampDifferenceExceeds(slot->since, now, kStartingStaleMs);
      break;
    case SchedulerState::none:
      start =
          slot->since == 0 || slot->kicked || TimestampDifferenceExceeds(slot->since, now, kFailedRetryMs);
      break;
    case SchedulerState::idle:
    case SchedulerState::absent:
      start = slot->kicked || (rescan && TimestampDifferenceExceeds(slot->since, now, kIdleRetryMs));
      break;
    }
    if (start) {
      slot->state = SchedulerState::starting;
      slot->since = now;
      slot->pid = 0;
      slot->proc = nullptr;
      slot->waiting_due = 0;
      slot->generation = ++s->generation;
      starts.push_back({db, slot->generation});
    }
  }
  return starts;
}

void start_schedulers(const std::vector<Start>& starts) {
  for (const Start& st : starts) {
    char name[BGW_MAXLEN];
    snprintf(name, sizeof name, "autoreport scheduler for database %u", st.database);
    if (!start_worker("autoreport_scheduler_main", name, "autoreport scheduler", st.database, &st.generation,
                      sizeof st.generation)) {
      {
        SchedulesLock lock;
        DatabaseSlot* slot = database_slot(st.database, false);
        if (slot != nullptr && slot->generation == st.generation) {
          slot->state = SchedulerState::none;
          slot->since = GetCurrentTimestamp();
        }
      }
      pg::guard([&] {
        ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                          errmsg("could not start the autoreport scheduler of database %u", st.database),
                          errdetail("No background worker slot is free (max_worker_processes is %d).",
                                    max_worker_processes),
                          errhint("Raise max_worker_processes; the launcher tries again in 10 seconds.")));
      });
    }
  }
}

void on_launcher_exit(int, Datum) {
  if (shared() == nullptr) {
    return;
  }
  LWLockReleaseAll();
  SchedulesLock lock;
  if (shared()->launcher_pid == MyProcPid) {
    shared()->launcher_pid = 0;
    shared()->launcher = nullptr;
  }
}

void run_launcher() {
  if (shared() == nullptr) {
    return;
  }
  {
    SchedulesLock lock;
    shared()->launcher_pid = MyProcPid;
    shared()->launcher = MyProc;
  }
  pg::guard([] {
    before_shmem_exit(on_launcher_exit, Datum(0));
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("autoreport launcher");
  });
  pg::ScopedMemoryContext loop_memory("autoreport launcher");
  TimestampTz last_scan = 0;
  std::vector<Oid> scanned; // the databases the last look at pg_database listed
  bool warned_full = false;
  for (;;) {
    loop_memory.reset();
    MemoryContextSwitchTo(loop_memory.get());
    pg::guard([] {
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
    });
    if (ShutdownRequestPending) {
      return;
    }
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      pg::guard([] { ProcessConfigFile(PGC_SIGHUP); });
    }
    const TimestampTz now = GetCurrentTimestamp();
    bool rescan = last_scan == 0 || TimestampDifferenceExceeds(last_scan, now, kRescanMs);
    std::vector<Oid> databases;
    if (!rescan) {
      SchedulesLock lock;
      for (const DatabaseSlot& slot : shared()->databases) {
        if (slot.database != InvalidOid) {
          databases.push_back(slot.database);
        }
      }
    }
    // A slot of a database the last look at pg_database did not list (a new database kicked by a
    // schedule, or a template held by CREATE DATABASE ... TEMPLATE) is judged by a new look: a template,
    // or a database that takes no connections, never gets a scheduler.
    for (const Oid db : databases) {
      rescan = rescan || std::find(scanned.begin(), scanned.end(), db) == scanned.end();
    }
    if (rescan) {
      scanned = list_databases();
      MemoryContextSwitchTo(loop_memory.get());
      databases = scanned;
      last_scan = now;
    }
    bool full = false;
    const std::vector<Start> starts = plan_starts(databases, rescan, full);
    start_schedulers(starts);
    if (full && !warned_full) {
      warned_full = true;
      pg::guard([] {
        ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                          errmsg("autoreport schedules jobs in at most %d databases", kMaxDatabases),
                          errdetail("Databases past that number have no scheduler.")));
      });
    }
    // A kicked slot whose scheduler is starting or failed is looked at again soon.
    long wait_ms = kRescanMs - TimestampDifferenceMilliseconds(last_scan, GetCurrentTimestamp());
    {
      SchedulesLock lock;
      for (const DatabaseSlot& slot : shared()->databases) {
        if (slot.database != InvalidOid &&
            (slot.state == SchedulerState::starting || slot.state == SchedulerState::none)) {
          wait_ms = std::min(wait_ms, 1000L);
        }
      }
    }
    pg::guard([&] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, std::max(wait_ms, 1L),
                      PG_WAIT_EXTENSION);
    });
  }
}

} // namespace

} // namespace autoreport::schedules

// The launcher's entry point (bgw_function_name).
void autoreport_launcher_main(Datum) {
  pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  autoreport::pg::enter([] { autoreport::schedules::run_launcher(); });
  proc_exit(0);
}
