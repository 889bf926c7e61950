// The audit log's background writer: one per database, started on demand by record_run(), gone after
// autoreport.audit_writer_idle_timeout without work. It alone computes its database's chain (the
// chain lock keeps the direct path of a server without preloading in line too).
#include "audit/append_pg.hpp"
#include "audit/shared_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/runtime.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/pmsignal.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

AUTOREPORT_EXPORT void autoreport_audit_writer_main(Datum main_arg);
}

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <span>
#include <string>

namespace autoreport::audit {

namespace {

// Runs appended per transaction.
constexpr size_t kBatch = 64;

// After a SIGTERM, how long the writer goes on writing what was queued before it leaves anyway (so
// that a writer held up by the chain lock or a long queue does not hold up a fast shutdown).
constexpr long kDrainMs = 5000;
// A batch that fails is retried after a pause that doubles from kFirstBackoffMs up to kMaxBackoffMs;
// the oldest run, tried alone after a first failure, is given up (counted as failed) after
// kMaxAttempts failed attempts, so that one run that cannot be appended does not block the queue.
constexpr long kFirstBackoffMs = 500;
constexpr long kMaxBackoffMs = 30000;
constexpr int kMaxAttempts = 4;
// A writer that leaves runs queued starts another, at most once per this long per database (so that a
// writer failing again and again does not spin).
constexpr long kRestartIntervalMs = 10000;

volatile sig_atomic_t g_terminate = false;
// Set while the writer waits for the chain lock: a SIGTERM then cancels the wait.
volatile sig_atomic_t g_waiting_for_lock = false;

// Who this process is: set before anything can fail, read by the exit callback.
Oid g_database = InvalidOid;
WriterArgs g_args{};
bool g_connected = false; // to its database: only then does the exit callback start another writer

// When the writer stops writing after a SIGTERM (0: not asked to stop yet).
TimestampTz g_drain_deadline = 0;

// The failures of the batches, for the back-off and for giving up a run.
struct Failures {
  uint64 seq = 0;      // the oldest run of the batch that failed last
  int attempts = 0;    // failed attempts of that run in a row
  int consecutive = 0; // failed batches in a row, whatever their runs
};
Failures g_failures;

// SIGTERM (server shutdown, pg_terminate_backend): finish writing what is queued, for at most
// kDrainMs, then exit. A wait for the chain lock is cancelled (like a statement by pg_cancel_backend)
// so that the writer can check its deadline.
void on_sigterm(SIGNAL_ARGS) {
  const int save_errno = errno;
  g_terminate = true;
  if (g_waiting_for_lock) {
    QueryCancelPending = true;
    InterruptPending = true;
  }
  SetLatch(MyLatch);
  errno = save_errno;
}

TimestampTz drain_deadline() {
  if (g_drain_deadline == 0) {
    g_drain_deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kDrainMs);
  }
  return g_drain_deadline;
}

DatabaseEntry& my_entry() {
  return shared()->databases[g_args.entry];
}

bool still_mine(const DatabaseEntry& e) {
  return e.database == g_database && e.generation == g_args.generation;
}

// However the process ends: gives the writer role back and makes the runs it claimed but did not
// write ready again, for the next writer. When runs are left queued (the writer was terminated, or
// failed) it starts that next writer itself, at most once per kRestartIntervalMs: nothing else would
// until the next run in the database. (During a shutdown the postmaster starts no worker.)
void on_writer_exit(int, Datum) {
  LWLockReleaseAll();
  WriterAction action;
  {
    AuditLock lock;
    DatabaseEntry& e = my_entry();
    if (still_mine(e)) {
      const bool was_running = e.writer == WriterState::running;
      e.writer = WriterState::none;
      e.writer_pid = 0;
      e.writer_proc = nullptr;
      queue().unclaim(g_database);
      const TimestampTz now = GetCurrentTimestamp();
      if (was_running && g_connected && queue().pending(g_database) > 0 &&
          (e.last_restart_at == 0 ||
           TimestampDifferenceExceeds(e.last_restart_at, now, kRestartIntervalMs))) {
        action = plan_writer(e);
        if (action.start) {
          e.last_restart_at = now;
        }
      }
    }
  }
  ConditionVariableBroadcast(&shared()->progress);
  if (action.start && PostmasterIsAlive()) {
    try {
      (void)carry_out(action); // a WARNING when no worker slot is free
    } catch (...) {
      // Leaving anyway: the next run in the database starts a writer.
    }
  }
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

// Takes the chain lock (which ChainAppender then finds held). The wait can be cut short: a SIGTERM
// cancels it, and once terminating it lasts at most until the drain's deadline (lock_timeout), either
// way with an error (57014 or 55P03) that write_batch() takes as "try again".
void lock_chain() {
  g_waiting_for_lock = true; // before g_terminate is read: a SIGTERM from now on cancels the wait
  const long timeout_ms =
      g_terminate ? std::max(1L, TimestampDifferenceMilliseconds(GetCurrentTimestamp(), drain_deadline()))
                  : 0;
  try {
    pg::guard([&] {
      char value[32];
      snprintf(value, sizeof value, "%ld", timeout_ms);
      SetConfigOption("lock_timeout", value, PGC_SUSET, PGC_S_OVERRIDE);
      LockRelationOid(get_relname_relid("runs", get_namespace_oid("autoreport", false)),
                      ShareRowExclusiveLock);
    });
  } catch (...) {
    g_waiting_for_lock = false;
    throw;
  }
  g_waiting_for_lock = false;
  // A SIGTERM just as the lock was granted: there is no wait left to cancel.
  QueryCancelPending = false;
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
    lock_chain();
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

// Rolls back the transaction of a batch that failed (the error is caught: nothing else would).
void abort_batch(MemoryContext saved) {
  pg::guard([] {
    AbortCurrentTransaction();
    pgstat_report_activity(STATE_IDLE, nullptr);
  });
  MemoryContextSwitchTo(saved);
}

// Makes the runs this writer claimed ready again, to be tried anew.
void unclaim_mine() {
  AuditLock lock;
  queue().unclaim(g_database);
}

enum class Batch {
  none,        // nothing queued
  written,     // appended (or discarded: autoreport is not installed)
  interrupted, // the chain lock was not had in time (SIGTERM, lock_timeout, cancel): runs queued again
  failed,      // an error: runs queued again, or the oldest given up; back off
};

long backoff_ms() {
  const int doublings = std::min(g_failures.consecutive - 1, 10);
  return std::min(kMaxBackoffMs, kFirstBackoffMs << std::max(doublings, 0));
}

// After a batch failed with `error`: counts the attempt of its oldest run, gives that run up after
// kMaxAttempts (when it was tried alone) or queues the runs again, and logs why.
void batch_failed(const Error& error, std::span<const uint32_t> slots, uint64 oldest) {
  if (g_failures.seq == oldest) {
    ++g_failures.attempts;
  } else {
    g_failures.seq = oldest;
    g_failures.attempts = 1;
  }
  ++g_failures.consecutive;
  const bool give_up = g_failures.attempts >= kMaxAttempts && slots.size() == 1;
  {
    AuditLock lock;
    if (give_up) {
      queue().release(slots);
      ++my_entry().failed;
    } else {
      queue().unclaim(g_database);
    }
  }
  if (give_up) {
    g_failures.seq = 0;
    g_failures.attempts = 0;
    ConditionVariableBroadcast(&shared()->progress);
  }
  const std::string message = error.message();
  const std::string code = error.sqlstate();
  const int attempts = give_up ? kMaxAttempts : g_failures.attempts;
  const long pause = backoff_ms();
  pg::guard([&] {
    if (give_up) {
      ereport(WARNING,
              (errmsg("autoreport audit writer gave up a run after %d failed attempts: %s", attempts,
                      message.c_str()),
               errdetail("SQLSTATE %s. The run is not in autoreport.runs; it is counted as failed in "
                         "autoreport.audit_status.",
                         code.c_str())));
    } else {
      ereport(WARNING,
              (errmsg("autoreport audit writer could not append to autoreport.runs: %s", message.c_str()),
               errdetail("SQLSTATE %s. Attempt %d of %d for the oldest queued run; the writer tries "
                         "again in %ld ms.",
                         code.c_str(), attempts, kMaxAttempts, pause)));
    }
  });
}

// Writes the oldest runs queued for this database (after a failure, the oldest alone, so that a run
// that cannot be appended is told apart from the others).
Batch write_batch() {
  std::array<uint32_t, kBatch> claimed{};
  size_t n = 0;
  uint64 oldest = 0;
  {
    AuditLock lock;
    const size_t limit = g_failures.consecutive > 0 ? 1 : kBatch;
    n = queue().claim(g_database, MyProcPid, std::span<uint32_t>(claimed.data(), limit));
    if (n > 0) {
      oldest = queue().head(claimed[0]).seq;
    }
  }
  if (n == 0) {
    return Batch::none;
  }
  const std::span<const uint32_t> slots(claimed.data(), n);
  const MemoryContext saved = CurrentMemoryContext;
  size_t discarded = 0;
  try {
    discarded = append_claimed(slots);
  } catch (const Interrupted&) {
    abort_batch(saved);
    unclaim_mine();
    return Batch::interrupted;
  } catch (const Error& e) {
    abort_batch(saved);
    if (e.sqlstate() == sqlstate::lock_not_available) { // lock_timeout: the drain's deadline came
      unclaim_mine();
      return Batch::interrupted;
    }
    batch_failed(e, slots, oldest);
    return Batch::failed;
  }
  g_failures = {};
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
  return Batch::written;
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

void wait_latch(long timeout_ms) {
  pg::guard([&] {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, std::max(timeout_ms, 1L),
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  });
}

void run_writer() {
  pg::guard([] { before_shmem_exit(on_writer_exit, Datum(0)); });
  if (!attach()) {
    return;
  }
  // A database closed to connections (ALLOW_CONNECTIONS false) after its runs were queued still gets
  // them written; an invalid database (an interrupted DROP DATABASE) stays refused.
  pg::guard(
      [] { BackgroundWorkerInitializeConnectionByOid(g_database, InvalidOid, BGWORKER_BYPASS_ALLOWCONN); });
  g_connected = true;
  pg::apply_worker_settings("autoreport audit writer");
  pg::ScopedMemoryContext loop_memory("autoreport audit writer");
  pg::MemoryContextSwitch in_loop(loop_memory.get());
  TimestampTz idle_since = GetCurrentTimestamp();
  TimestampTz retry_at = 0;     // after a failed batch: not before then
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
    TimestampTz now = GetCurrentTimestamp();
    if (g_terminate) {
      // Write what was queued when asked to stop, then leave (later runs start another writer); give
      // up at the deadline (the runs left are written by the next writer).
      const TimestampTz deadline = drain_deadline();
      size_t left = 0;
      {
        AuditLock lock;
        if (terminate_through == 0) {
          terminate_through = queue().last_seq();
        }
        left = queue().pending(g_database, terminate_through);
      }
      if (left == 0) {
        return;
      }
      if (now >= deadline) {
        pg::guard([&] {
          ereport(LOG, (errmsg("autoreport audit writer stopping with %zu runs not yet written", left),
                        errdetail("It was asked to stop %ld ms ago.", kDrainMs)));
        });
        return;
      }
    }
    if (now < retry_at) {
      long wait_ms = TimestampDifferenceMilliseconds(now, retry_at);
      if (g_terminate) {
        wait_ms = std::min(wait_ms, TimestampDifferenceMilliseconds(now, drain_deadline()));
      }
      wait_latch(wait_ms); // new runs set the latch too: the loop comes back here until retry_at
      continue;
    }
    switch (write_batch()) {
    case Batch::written:
      idle_since = GetCurrentTimestamp();
      continue;
    case Batch::interrupted:
      continue;
    case Batch::failed:
      retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backoff_ms());
      idle_since = GetCurrentTimestamp();
      continue;
    case Batch::none:
      break;
    }
    now = GetCurrentTimestamp();
    const long idle_ms = TimestampDifferenceMilliseconds(idle_since, now);
    if (idle_ms >= g_writer_idle_timeout_ms) {
      discard_orphans();
      if (retire()) {
        return;
      }
      idle_since = now;
      continue;
    }
    wait_latch(g_writer_idle_timeout_ms - idle_ms);
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
