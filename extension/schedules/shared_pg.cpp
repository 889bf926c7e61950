// The schedules' shared memory and settings (shared_pg.hpp).
#include "schedules/shared_pg.hpp"
#include "common/shmem_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include <cstring>

namespace autoreport::schedules {

int g_max_running_jobs = 4;
int g_run_history_keep = 30 * 24 * 60;
int g_output_keep = 7 * 24 * 60;

namespace {

constexpr const char* kTranche = "autoreport schedules";
SchedulesShared* g_shared = nullptr;

void schedules_shmem_request() {
  RequestAddinShmemSpace(MAXALIGN(sizeof(SchedulesShared)));
  RequestNamedLWLockTranche(kTranche, 1);
}

void schedules_shmem_startup() {
  bool found = false;
  g_shared =
      static_cast<SchedulesShared*>(ShmemInitStruct("autoreport schedules", sizeof(SchedulesShared), &found));
  if (!found) {
    std::memset(g_shared, 0, sizeof *g_shared);
    g_shared->lock = &GetNamedLWLockTranche(kTranche)->lock;
  }
}

void register_launcher() {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  // Never on a standby; after a promotion the postmaster starts it without a restart.
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = 10;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "autoreport");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "autoreport_launcher_main");
  snprintf(worker.bgw_name, BGW_MAXLEN, "autoreport launcher");
  snprintf(worker.bgw_type, BGW_MAXLEN, "autoreport launcher");
  RegisterBackgroundWorker(&worker);
}

bool g_wake_at_commit = false;

void on_transaction_event(XactEvent event, void*) {
  if (!g_wake_at_commit || (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
                            event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT)) {
    return;
  }
  g_wake_at_commit = false;
  if (event != XACT_EVENT_COMMIT || g_shared == nullptr) {
    return;
  }
  LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
  DatabaseSlot* slot = database_slot(MyDatabaseId, true);
  if (slot != nullptr) {
    slot->kicked = true;
    if (slot->state == SchedulerState::running && slot->proc != nullptr) {
      SetLatch(&slot->proc->procLatch);
    } else if (g_shared->launcher != nullptr) {
      SetLatch(&g_shared->launcher->procLatch);
    }
  }
  LWLockRelease(g_shared->lock);
}

} // namespace

void wake_scheduler_at_commit() noexcept {
  g_wake_at_commit = g_shared != nullptr;
}

bool launcher_running() noexcept {
  return g_shared != nullptr && g_shared->launcher_pid != 0;
}

SchedulesShared* shared() noexcept {
  return g_shared;
}

SchedulesLock::SchedulesLock() {
  LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
}

SchedulesLock::~SchedulesLock() {
  LWLockRelease(g_shared->lock);
}

DatabaseSlot* database_slot(Oid database, bool create) noexcept {
  DatabaseSlot* free_slot = nullptr;
  for (DatabaseSlot& s : g_shared->databases) {
    if (s.database == database) {
      return &s;
    }
    if (free_slot == nullptr && s.database == InvalidOid) {
      free_slot = &s;
    }
  }
  if (!create || free_slot == nullptr) {
    return nullptr;
  }
  std::memset(free_slot, 0, sizeof *free_slot);
  free_slot->database = database;
  free_slot->state = SchedulerState::none;
  return free_slot;
}

int runs_in_flight() noexcept {
  int n = 0;
  for (const RunSlot& r : g_shared->runs) {
    n += r.database != InvalidOid ? 1 : 0;
  }
  return n;
}

int runs_of_database(Oid database) noexcept {
  SchedulesLock lock;
  int n = 0;
  for (const RunSlot& r : g_shared->runs) {
    n += r.database == database ? 1 : 0;
  }
  return n;
}

namespace {
// Does a database other than `me` wait for a run slot for a run older than `due`? It is woken.
bool older_waiter(Oid me, TimestampTz due) noexcept {
  for (DatabaseSlot& other : g_shared->databases) {
    if (other.database != me && other.database != InvalidOid && other.state == SchedulerState::running &&
        other.waiting_due != 0 && other.waiting_due < due) {
      if (other.proc != nullptr) {
        SetLatch(&other.proc->procLatch);
      }
      return true;
    }
  }
  return false;
}
} // namespace

bool reuse_run_slot(int index, int64 run, int64 job, TimestampTz due) noexcept {
  RunSlot& mine = g_shared->runs[index];
  if (runs_in_flight() > std::min(g_max_running_jobs, kMaxRunSlots) || older_waiter(mine.database, due)) {
    return false;
  }
  for (const RunSlot& r : g_shared->runs) {
    if (&r != &mine && r.database == mine.database && (r.run == run || r.job == job)) {
      return false;
    }
  }
  mine.run = run;
  mine.job = job;
  mine.claimed_at = GetCurrentTimestamp();
  return true;
}

bool job_in_flight(Oid database, int64 job) noexcept {
  for (const RunSlot& r : g_shared->runs) {
    if (r.database == database && r.job == job) {
      return true;
    }
  }
  return false;
}

int claim_run_slot(DatabaseSlot& me, int64 run, int64 job, TimestampTz due) noexcept {
  const int cap = std::min(g_max_running_jobs, kMaxRunSlots);
  if (runs_in_flight() >= cap) {
    if (me.waiting_due == 0 || due < me.waiting_due) {
      me.waiting_due = due;
    }
    return -1;
  }
  if (older_waiter(me.database, due)) {
    // An older run elsewhere goes first: its scheduler takes the free slot.
    if (me.waiting_due == 0 || due < me.waiting_due) {
      me.waiting_due = due;
    }
    return -1;
  }
  for (int i = 0; i < kMaxRunSlots; ++i) {
    RunSlot& r = g_shared->runs[i];
    if (r.database == InvalidOid) {
      r.database = me.database;
      r.run = run;
      r.job = job;
      r.pid = 0;
      r.claimed_at = GetCurrentTimestamp();
      return i;
    }
  }
  return -1;
}

void release_run_slot(int index) noexcept {
  if (index < 0 || index >= kMaxRunSlots) {
    return;
  }
  RunSlot& r = g_shared->runs[index];
  const Oid database = r.database;
  std::memset(&r, 0, sizeof r);
  DatabaseSlot* oldest = nullptr;
  for (DatabaseSlot& s : g_shared->databases) {
    if (s.database != InvalidOid && s.state == SchedulerState::running && s.waiting_due != 0 &&
        (oldest == nullptr || s.waiting_due < oldest->waiting_due)) {
      oldest = &s;
    }
  }
  if (oldest != nullptr && oldest->proc != nullptr) {
    SetLatch(&oldest->proc->procLatch);
  }
  DatabaseSlot* mine = database_slot(database, false);
  if (mine != nullptr && mine->proc != nullptr && mine != oldest) {
    SetLatch(&mine->proc->procLatch);
  }
}

bool run_in_flight(Oid database, int64 run) noexcept {
  for (const RunSlot& r : g_shared->runs) {
    if (r.database == database && r.run == run) {
      return true;
    }
  }
  return false;
}

namespace {

ExtraPassFn g_extra_pass = nullptr;

BackgroundWorker worker_for(const char* function, const char* name, const char* type, Oid database,
                            const void* extra, size_t extra_size) {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "autoreport");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
  snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
  snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
  worker.bgw_main_arg = ObjectIdGetDatum(database);
  std::memcpy(worker.bgw_extra, extra, std::min<size_t>(extra_size, BGW_EXTRALEN));
  worker.bgw_notify_pid = 0;
  return worker;
}

} // namespace

void set_extra_pass(ExtraPassFn pass) noexcept {
  g_extra_pass = pass;
}

ExtraPassFn extra_pass() noexcept {
  return g_extra_pass;
}

bool start_worker(const char* function, const char* name, const char* type, Oid database, const void* extra,
                  size_t extra_size) {
  BackgroundWorker worker = worker_for(function, name, type, database, extra, extra_size);
  return pg::guard([&] { return RegisterDynamicBackgroundWorker(&worker, nullptr); });
}

BackgroundWorkerHandle* start_worker_followed(const char* function, const char* name, const char* type,
                                              Oid database, const void* extra, size_t extra_size) {
  BackgroundWorker worker = worker_for(function, name, type, database, extra, extra_size);
  worker.bgw_notify_pid = MyProcPid;
  return pg::guard([&] {
    BackgroundWorkerHandle* handle = nullptr;
    return RegisterDynamicBackgroundWorker(&worker, &handle) ? handle : nullptr;
  });
}

void shared_init() {
  pg::guard([] {
    DefineCustomIntVariable(
        "autoreport.max_running_jobs", "Most job runs executing at once, in all databases together.",
        "Each run is a background worker: max_worker_processes must leave room for them, the launcher and "
        "one scheduler per database with jobs.",
        &g_max_running_jobs, 4, 1, kMaxRunSlots, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("autoreport.run_history_keep",
                            "How long the attempts of finished job runs are kept in autoreport.job_runs.",
                            nullptr, &g_run_history_keep, 30 * 24 * 60, 1, INT_MAX / 60, PGC_SIGHUP,
                            GUC_UNIT_MIN, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "autoreport.output_keep",
        "How long stored job outputs are kept, unless the job's keep option says otherwise.", nullptr,
        &g_output_keep, 7 * 24 * 60, 1, INT_MAX / 60, PGC_SIGHUP, GUC_UNIT_MIN, nullptr, nullptr, nullptr);
  });
  pg::register_shared_memory(schedules_shmem_request, schedules_shmem_startup);
  pg::guard([] { RegisterXactCallback(on_transaction_event, nullptr); });
  if (process_shared_preload_libraries_in_progress) {
    pg::guard([] { register_launcher(); });
    install_utility_hook();
  }
}

} // namespace autoreport::schedules
