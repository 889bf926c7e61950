// The audit log's shared memory, and starting a database's writer on demand.
#include "audit/shared_pg.hpp"
#include "common/shmem_pg.hpp"

extern "C" {
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <cstring>

namespace autoreport::audit {

int g_queue_size = 1024;
int g_queue_timeout_ms = 5000;
int g_writer_idle_timeout_ms = 2000;
int g_refusals_per_minute = 60;

namespace {

constexpr const char* kTranche = "autoreport audit";
// A writer claimed but not running after this long is taken to have failed to start.
constexpr long kStartingStaleMs = 10000;

AuditShared* g_shared = nullptr;
void* g_queue_memory = nullptr;

Size shared_size() {
  return add_size(MAXALIGN(sizeof(AuditShared)), QueueView::bytes_for(static_cast<uint32_t>(g_queue_size)));
}

void audit_shmem_request() {
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTranche, 1);
}

void audit_shmem_startup() {
  bool found = false;
  auto* base = static_cast<char*>(ShmemInitStruct("autoreport audit", shared_size(), &found));
  g_shared = reinterpret_cast<AuditShared*>(base);
  g_queue_memory = base + MAXALIGN(sizeof(AuditShared));
  if (!found) {
    std::memset(g_shared, 0, sizeof *g_shared);
    g_shared->lock = &GetNamedLWLockTranche(kTranche)->lock;
    ConditionVariableInit(&g_shared->progress);
    QueueView::create(g_queue_memory, static_cast<uint32_t>(g_queue_size));
  }
}

bool entry_idle(const DatabaseEntry& e, QueueView& q) {
  return e.writer == WriterState::none && q.pending(e.database) == 0;
}

} // namespace

AuditShared* shared() noexcept {
  return g_shared;
}

QueueView queue() noexcept {
  return QueueView::attach(g_queue_memory);
}

DatabaseEntry* database_entry(Oid database, bool create) noexcept {
  DatabaseEntry* free_entry = nullptr;
  for (DatabaseEntry& e : g_shared->databases) {
    if (e.database == database) {
      return &e;
    }
    if (free_entry == nullptr && e.database == InvalidOid) {
      free_entry = &e;
    }
  }
  if (!create) {
    return nullptr;
  }
  if (free_entry == nullptr) {
    // All taken: reuse the entry of a database that has been quiet longest (its counters restart).
    QueueView q = queue();
    for (DatabaseEntry& e : g_shared->databases) {
      if (entry_idle(e, q) && (free_entry == nullptr || e.last_written_at < free_entry->last_written_at)) {
        free_entry = &e;
      }
    }
    if (free_entry == nullptr) {
      return nullptr;
    }
  }
  std::memset(free_entry, 0, sizeof *free_entry);
  free_entry->database = database;
  return free_entry;
}

int entry_index(const DatabaseEntry* entry) noexcept {
  return static_cast<int>(entry - g_shared->databases);
}

WriterAction plan_writer(DatabaseEntry& entry, bool may_start) noexcept {
  WriterAction action;
  action.database = entry.database;
  const TimestampTz now = GetCurrentTimestamp();
  switch (entry.writer) {
  case WriterState::running:
    action.wake = entry.writer_proc;
    return action;
  case WriterState::starting:
    if (!TimestampDifferenceExceeds(entry.writer_since, now, kStartingStaleMs)) {
      return action; // it reads the queue as soon as it runs
    }
    break; // never came up: start another (the late one, if any, sees a newer generation and leaves)
  case WriterState::none:
    break;
  }
  if (!may_start) {
    return action;
  }
  entry.writer = WriterState::starting;
  entry.writer_pid = 0;
  entry.writer_proc = nullptr;
  entry.generation = ++g_shared->generation;
  entry.writer_since = now;
  action.start = true;
  action.args = WriterArgs{entry_index(&entry), entry.generation};
  return action;
}

bool carry_out(const WriterAction& action) {
  if (action.wake != nullptr) {
    SetLatch(&action.wake->procLatch);
  }
  if (!action.start) {
    return true;
  }
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "autoreport");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "autoreport_audit_writer_main");
  snprintf(worker.bgw_name, BGW_MAXLEN, "autoreport audit writer for database %u", action.database);
  snprintf(worker.bgw_type, BGW_MAXLEN, "autoreport audit writer");
  worker.bgw_main_arg = ObjectIdGetDatum(action.database);
  static_assert(sizeof(WriterArgs) <= BGW_EXTRALEN);
  std::memcpy(worker.bgw_extra, &action.args, sizeof action.args);
  worker.bgw_notify_pid = 0;
  if (pg::guard([&] { return RegisterDynamicBackgroundWorker(&worker, nullptr); })) {
    return true;
  }
  {
    AuditLock lock;
    DatabaseEntry& e = g_shared->databases[action.args.entry];
    if (e.database == action.database && e.generation == action.args.generation &&
        e.writer == WriterState::starting) {
      e.writer = WriterState::none;
    }
  }
  pg::guard([] {
    ereport(
        WARNING,
        (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
         errmsg("could not start the autoreport audit log writer"),
         errdetail("No background worker slot is free (max_worker_processes is %d).", max_worker_processes),
         errhint("Runs wait in the audit queue until a writer starts; raise max_worker_processes.")));
  });
  return false;
}

void shared_init() {
  pg::register_shared_memory(audit_shmem_request, audit_shmem_startup);
}

void sleep_for_progress(TimestampTz now, TimestampTz deadline, bool& prepared) {
  AuditShared* s = shared();
  const long wait_ms = std::min(100L, TimestampDifferenceMilliseconds(now, deadline));
  pg::guard([&] {
    if (!prepared) {
      ConditionVariablePrepareToSleep(&s->progress);
      return;
    }
    (void)ConditionVariableTimedSleep(&s->progress, std::max(wait_ms, 1L), PG_WAIT_EXTENSION);
  });
  prepared = true;
}

void end_progress_wait(bool prepared) {
  if (prepared) {
    pg::guard([] { ConditionVariableCancelSleep(); });
  }
}

} // namespace autoreport::audit
