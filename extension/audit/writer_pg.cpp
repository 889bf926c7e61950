// The audit log's background writer: one per database, started on demand by record_run(), gone after
// autoreport.audit_writer_idle_timeout without work. It alone computes its database's chain (the
// chain lock keeps the direct path of a server without preloading in line too).
#include "audit/append_pg.hpp"
#include "audit/shared_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/runtime.hpp"

extern "C" {
#include "access/xact.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

AUTOREPORT_EXPORT void autoreport_audit_writer_main(Datum main_arg);
}

#include <array>
#include <csignal>
#include <cstring>
#include <span>

namespace autoreport::audit {

namespace {

// Runs appended per transaction.
constexpr size_t kBatch = 64;

volatile sig_atomic_t g_terminate = false;

// Who this process is: set before anything can fail, read by the exit callback.
Oid g_database = InvalidOid;
WriterArgs g_args{};

// SIGTERM (server shutdown, pg_terminate_backend): finish writing what is queued, then exit.
void on_sigterm(SIGNAL_ARGS) {
  const int save_errno = errno;
  g_terminate = true;
  SetLatch(MyLatch);
  errno = save_errno;
}

DatabaseEntry& my_entry() {
  return shared()->databases[g_args.entry];
}

bool still_mine(const DatabaseEntry& e) {
  return e.database == g_database && e.generation == g_args.generation;
}

// However the process ends: gives the writer role back and makes the runs it claimed but did not
// write ready again, for the next writer.
void on_writer_exit(int, Datum) {
  LWLockReleaseAll();
  {
    AuditLock lock;
    DatabaseEntry& e = my_entry();
    if (still_mine(e)) {
      e.writer = WriterState::none;
      e.writer_pid = 0;
      e.writer_proc = nullptr;
      queue().unclaim(g_database);
    }
  }
  ConditionVariableBroadcast(&shared()->progress);
}

// Takes up the writer role claimed for this process; false when a newer writer has it.
bool attach() {
  AuditLock lock;
  DatabaseEntry& e = my_entry();
  if (!still_mine(e) || e.writer != WriterState::starting) {
    return false;
  }
  e.writer = WriterState::running;
  e.writer_pid = MyProcPid;
  e.writer_proc = MyProc;
  e.writer_since = GetCurrentTimestamp();
  queue().unclaim(g_database); // left by a writer that ended before writing them
  return true;
}

// The session settings a writer needs whatever postgresql.conf says: it must be able to write, must not
// be cut short, and resolves nothing through a search_path.
void apply_settings() {
  pg::guard([] {
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("default_transaction_isolation", "read committed", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("lock_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("application_name", "autoreport audit writer", PGC_SUSET, PGC_S_OVERRIDE);
  });
}

// Appends the runs in `slots` (claimed by this writer) in one transaction and commits it; returns how
// many were discarded because autoreport is not installed in the database. Leaves the memory context
// as it found it (a commit leaves TopMemoryContext current).
size_t append_claimed(std::span<const uint32_t> slots) {
  const MemoryContext saved = CurrentMemoryContext;
  pg::guard([] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "appending to autoreport.runs");
  });
  MemoryContextSwitchTo(saved);
  size_t discarded = 0;
  if (runs_table_exists()) {
    pg::SpiConnection spi;
    ChainAppender appender(spi);
    for (uint32_t slot : slots) {
      // A claimed slot is this writer's alone: it is read without the lock.
      appender.append(pending_from(queue().run(slot)));
    }
  } else {
    discarded = slots.size();
  }
  pg::guard([] {
    PopActiveSnapshot();
    CommitTransactionCommand();
  });
  MemoryContextSwitchTo(saved);
  return discarded;
}

// Reports the writer's statistics and that it is idle again. Called once the written runs' slots are
// released: nothing written depends on it, so an error here is logged and otherwise ignored (not
// through pg::guard, whose caught errors must be resolved by a rollback; there is no transaction).
void report_idle() noexcept {
  const MemoryContext saved = CurrentMemoryContext;
  PG_TRY();
  {
    (void)pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(saved);
    EmitErrorReport();
    FlushErrorState();
    LWLockReleaseAll(); // the audit lock is not held here; only what the reporting took
  }
  PG_END_TRY();
}

// Writes the oldest runs queued for this database; returns how many were taken from the queue.
size_t write_batch() {
  std::array<uint32_t, kBatch> claimed{};
  size_t n = 0;
  {
    AuditLock lock;
    n = queue().claim(g_database, MyProcPid, claimed);
  }
  if (n == 0) {
    return 0;
  }
  const std::span<const uint32_t> slots(claimed.data(), n);
  const size_t discarded = append_claimed(slots);
  // Committed: free the slots at once, before anything else can fail (a writer ending with the slots
  // still claimed would leave them to the next writer, which would append the runs again).
  {
    AuditLock lock;
    queue().release(slots);
    DatabaseEntry& e = my_entry();
    e.written += n - discarded;
    e.failed += discarded;
    e.last_written_at = GetCurrentTimestamp();
  }
  ConditionVariableBroadcast(&shared()->progress);
  report_idle();
  if (discarded > 0) {
    pg::guard([&] {
      ereport(LOG, (errmsg("autoreport audit writer discarded %zu runs: autoreport is not installed in this "
                           "database",
                           discarded)));
    });
  }
  return n;
}

// Runs queued for databases that no longer exist (dropped while their writer was gone) would hold their
// slots forever: discard them.
void discard_orphans() {
  std::array<uint32_t, 8> databases{};
  size_t n = 0;
  {
    AuditLock lock;
    n = queue().ready_databases(databases);
  }
  for (size_t i = 0; i < n; ++i) {
    const Oid db = databases[i];
    if (db == g_database) {
      continue;
    }
    const MemoryContext saved = CurrentMemoryContext;
    const bool exists = pg::guard([&] {
      StartTransactionCommand();
      const bool found = SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(db));
      CommitTransactionCommand();
      return found;
    });
    MemoryContextSwitchTo(saved); // the commit left TopMemoryContext current
    if (exists) {
      continue;
    }
    std::array<uint32_t, kBatch> slots{};
    AuditLock lock;
    size_t k = queue().claim(db, MyProcPid, slots);
    while (k > 0) {
      queue().release(std::span<const uint32_t>(slots.data(), k));
      if (DatabaseEntry* e = database_entry(db, false)) {
        e->failed += k;
      }
      k = queue().claim(db, MyProcPid, slots);
    }
  }
}

// Gives up the writer role when nothing is queued for the database; false when something is.
bool retire() {
  AuditLock lock;
  DatabaseEntry& e = my_entry();
  if (!still_mine(e)) {
    return true;
  }
  if (queue().pending(g_database) > 0) {
    return false;
  }
  e.writer = WriterState::none;
  e.writer_pid = 0;
  e.writer_proc = nullptr;
  return true;
}

void run_writer() {
  pg::guard([] { before_shmem_exit(on_writer_exit, Datum(0)); });
  if (!attach()) {
    return;
  }
  pg::guard([] { BackgroundWorkerInitializeConnectionByOid(g_database, InvalidOid, 0); });
  apply_settings();
  pg::ScopedMemoryContext loop_memory("autoreport audit writer");
  pg::MemoryContextSwitch in_loop(loop_memory.get());
  TimestampTz idle_since = GetCurrentTimestamp();
  uint64 terminate_through = 0; // after a SIGTERM: the last run to write before leaving
  for (;;) {
    // Each iteration works in the loop context, whatever the last one left current (a transaction's
    // commit leaves TopMemoryContext, where allocations would pile up for the life of the writer).
    loop_memory.reset();
    MemoryContextSwitchTo(loop_memory.get());
    check_interrupts();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      pg::guard([] { ProcessConfigFile(PGC_SIGHUP); });
    }
    if (g_terminate) {
      // Write what was queued when asked to stop, then leave (later runs start another writer).
      AuditLock lock;
      if (terminate_through == 0) {
        terminate_through = queue().last_seq();
      }
      if (queue().pending(g_database, terminate_through) == 0) {
        return;
      }
    }
    if (write_batch() > 0) {
      idle_since = GetCurrentTimestamp();
      continue;
    }
    const TimestampTz now = GetCurrentTimestamp();
    const long idle_ms = TimestampDifferenceMilliseconds(idle_since, now);
    if (idle_ms >= g_writer_idle_timeout_ms) {
      discard_orphans();
      if (retire()) {
        return;
      }
      idle_since = now;
      continue;
    }
    pg::guard([&] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                      g_writer_idle_timeout_ms - idle_ms, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
    });
  }
}

} // namespace

} // namespace autoreport::audit

// The writer's entry point (bgw_function_name): database OID in main_arg, WriterArgs in bgw_extra.
void autoreport_audit_writer_main(Datum main_arg) {
  pqsignal(SIGTERM, autoreport::audit::on_sigterm);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  autoreport::audit::g_database = DatumGetObjectId(main_arg);
  std::memcpy(&autoreport::audit::g_args, MyBgworkerEntry->bgw_extra, sizeof autoreport::audit::g_args);
  autoreport::pg::enter([] { autoreport::audit::run_writer(); });
  proc_exit(0);
}
