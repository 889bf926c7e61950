// The schedules' shared memory: the launcher, one scheduler per database, and the run slots that cap
// how many job runs execute at once (autoreport.max_running_jobs) across the whole server.
#pragma once

#include "common/boundary_pg.hpp"

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
}

#include <cstdint>

namespace autoreport::schedules {

// Settings (schedules/shared_pg.cpp).
extern int g_max_running_jobs; // autoreport.max_running_jobs
extern int g_run_history_keep; // autoreport.run_history_keep, minutes
extern int g_output_keep;      // autoreport.output_keep, minutes

constexpr int kMaxDatabases = 64;
constexpr int kMaxRunSlots = 1024;

enum class SchedulerState : uint8_t {
  none,     // no scheduler (never started, or it ended with an error)
  starting, // registered with the postmaster, not yet running
  running,
  idle,   // ended: the database has no enabled job and no run pending
  absent, // ended: autoreport is not installed in the database
};

struct DatabaseSlot {
  Oid database; // InvalidOid: free
  SchedulerState state;
  bool kicked; // jobs changed (schedule(), resume(), run_now()) since its scheduler last read them
  pid_t pid;
  PGPROC* proc;
  uint64 generation;
  TimestampTz since;       // when it entered `state`
  TimestampTz waiting_due; // the due time of the oldest run it waits a run slot for; 0: none
  int held;                // statements running that need the database to themselves (utility_pg.cpp)
};

struct RunSlot {
  Oid database; // InvalidOid: free
  int64 run;
  int64 job;
  pid_t pid; // 0 until the run's worker runs
  TimestampTz claimed_at;
};

struct SchedulesShared {
  LWLock* lock;
  pid_t launcher_pid;
  PGPROC* launcher;
  uint64 generation;
  DatabaseSlot databases[kMaxDatabases];
  RunSlot runs[kMaxRunSlots];
};

// nullptr when autoreport was not preloaded.
SchedulesShared* shared() noexcept;

// Holds the schedules' lock exclusively for a scope. Nothing in the scope may raise an error.
class SchedulesLock {
public:
  SchedulesLock();
  ~SchedulesLock();
  SchedulesLock(const SchedulesLock&) = delete;
  SchedulesLock& operator=(const SchedulesLock&) = delete;
};

// Under the lock: the slot of a database; with create, a free one is taken (nullptr when all are used).
DatabaseSlot* database_slot(Oid database, bool create) noexcept;

// Under the lock: how many run slots are taken.
int runs_in_flight() noexcept;

// How many run slots `database` holds (takes the lock).
int runs_of_database(Oid database) noexcept;

// Under the lock: takes a run slot for run `run` of job `job`, due at `due`, unless
// autoreport.max_running_jobs are taken or another database waits for a slot for an older run (then
// that database's scheduler is woken, and `me` records that it waits). Returns the slot's index or -1.
int claim_run_slot(DatabaseSlot& me, int64 run, int64 job, TimestampTz due) noexcept;

// Under the lock: may a run worker of `database` that just finished a run go on with run `run` of job
// `job`, due at `due`, in its slot `index`? Not when the run or its job is in another slot, nor when
// another database waits for a slot for an older run. When it may, the slot is given to that run.
bool reuse_run_slot(int index, int64 run, int64 job, TimestampTz due) noexcept;

// Frees a run slot and wakes the scheduler that waits for one for the oldest run, and the scheduler of
// the slot's database (which then looks for runs that ended without saying so).
void release_run_slot(int index) noexcept;

// Is run `run` of `database` in a run slot (started, or about to be)? Under the lock.
bool run_in_flight(Oid database, int64 run) noexcept;

// Is a run of job `job` of `database` in a run slot? Under the lock.
bool job_in_flight(Oid database, int64 job) noexcept;

// What a scheduler hands a run worker (bgw_extra): the run, the run slot it holds, the run's instant.
struct RunArgs {
  int64 run;
  int slot;
  TimestampTz due;
};

// Starts the background worker of `function` (an autoreport_* entry point). false when no
// background worker slot is free.
bool start_worker(const char* function, const char* name, const char* type, Oid database, const void* extra,
                  size_t extra_size);

// The same, with a handle to follow the worker (its notifications go to this process); nullptr when no
// background worker slot is free.
BackgroundWorkerHandle* start_worker_followed(const char* function, const char* name, const char* type,
                                              Oid database, const void* extra, size_t extra_size);

// Timed work of a capability above schedules (managed views' refreshes), done by each database's
// scheduler after its jobs, in the scheduler's process: `active` when the database has such work at all
// (the scheduler then stays), `next_due` the next time it is due (0: nothing timed; the scheduler is
// woken for the rest). The pass runs its own transactions and may throw autoreport::Error.
struct ExtraPass {
  TimestampTz next_due = 0;
  bool active = false;
};
using ExtraPassFn = ExtraPass (*)();
// Set once, from _PG_init.
void set_extra_pass(ExtraPassFn pass) noexcept;
ExtraPassFn extra_pass() noexcept;

// Wakes this database's scheduler (started by the launcher if none runs) when the current transaction
// commits: its jobs changed. Does nothing when autoreport was not preloaded.
void wake_scheduler_at_commit() noexcept;

// Under the lock: is the launcher running?
bool launcher_running() noexcept;

// Installs the ProcessUtility hook that lets DROP DATABASE and the other statements that need a
// database to themselves end its scheduler and run workers first (utility_pg.cpp). When preloading.
void install_utility_hook();

// Called from _PG_init: the settings, the shared memory and (when preloading) the launcher.
void shared_init();

} // namespace autoreport::schedules
