// The audit log's shared memory: the queue of runs waiting to be written, and one entry per database
// with its writer and its counters. Exists only when autoreport is preloaded.
#pragma once

#include "audit/queue.hpp"
#include "audit/refusals.hpp"
#include "common/boundary_pg.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/condition_variable.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
}

namespace autoreport::audit {

enum class WriterState : uint32_t { none = 0, starting = 1, running = 2 };

// A database that recorded runs since the server started.
struct DatabaseEntry {
  Oid database; // InvalidOid: unused
  WriterState writer;
  int writer_pid;      // set by the writer once it runs
  PGPROC* writer_proc; // whose latch wakes the writer
  uint64 generation;   // of the writer started last; a writer whose generation is not this one leaves
  TimestampTz writer_since;
  uint64 recorded; // runs queued
  uint64 written;  // rows appended by writers
  uint64 dropped;  // failed runs not queued because the queue stayed full
  uint64 failed;   // runs a writer discarded (autoreport not installed in the database)
  uint64 skipped;  // runs not logged because the server was a hot standby
  uint64
      refusals_dropped; // refused calls not logged: their role was over autoreport.audit_refusals_per_minute
  TimestampTz last_written_at;
  TimestampTz last_restart_at; // when an exiting writer last started another for runs it left queued
};

inline constexpr int kMaxDatabases = 256;

struct AuditShared {
  LWLock* lock;
  ConditionVariable progress; // broadcast whenever slots are freed or a writer comes or goes
  uint64 generation;
  DatabaseEntry databases[kMaxDatabases];
  RefusalTable refusals; // per role, across databases
};

// What bgw_extra carries to a writer.
struct WriterArgs {
  int entry;
  uint64 generation;
};

// Settings (autoreport.audit_*).
extern int g_queue_size;
extern int g_queue_timeout_ms;
extern int g_writer_idle_timeout_ms;
extern int g_refusals_per_minute;

// Null when autoreport is not preloaded.
AuditShared* shared() noexcept;

// Waits on the queue's condition variable for the writers' progress: the first call only prepares to
// sleep (so that no wakeup is lost), later ones sleep until woken, 100 ms or the deadline.
void sleep_for_progress(TimestampTz now, TimestampTz deadline, bool& prepared);
// Ends a wait begun by sleep_for_progress (when prepared).
void end_progress_wait(bool prepared);
QueueView queue() noexcept;

// Holds the audit lock for its lifetime. Nothing that can throw or ereport runs while it is held.
class AuditLock {
public:
  AuditLock() { LWLockAcquire(shared()->lock, LW_EXCLUSIVE); }
  ~AuditLock() { LWLockRelease(shared()->lock); }
  AuditLock(const AuditLock&) = delete;
  AuditLock& operator=(const AuditLock&) = delete;
};

// Under the lock: the entry of `database`, created if create is set and there is room (recycling an
// idle entry when all are taken); null otherwise.
DatabaseEntry* database_entry(Oid database, bool create) noexcept;
int entry_index(const DatabaseEntry* entry) noexcept;

// What a backend must do, once the lock is released, so that the runs queued for a database get
// written: wake its writer, or start one.
struct WriterAction {
  PGPROC* wake = nullptr;
  bool start = false;
  Oid database = InvalidOid;
  WriterArgs args{};
};

// Under the lock: decides the action for entry's database, claiming the writer role for the caller
// when a writer must be started and may_start is set (so that two backends never start two writers).
WriterAction plan_writer(DatabaseEntry& entry, bool may_start = true) noexcept;

// After the lock: wakes or starts the writer. Returns false when a writer could not be started (the
// claim is then given back and a WARNING says why).
bool carry_out(const WriterAction& action);

// Called from audit::init(): chains the shared-memory hooks when preloading.
void shared_init();

} // namespace autoreport::audit
