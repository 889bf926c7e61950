// record_run(): the way into the audit log, and the capability's settings.
#include "audit/audit_pg.hpp"
#include "audit/append_pg.hpp"
#include "audit/shared_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "mb/pg_wchar.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

namespace autoreport::audit {

namespace {

// Cuts on a character boundary of the server encoding.
size_t clip(std::string_view text, size_t max) {
  const int len = static_cast<int>(std::min(text.size(), static_cast<size_t>(INT_MAX)));
  return pg::guard(
      [&] { return static_cast<size_t>(pg_mbcliplen(text.data(), len, static_cast<int>(max))); });
}

bool is_failed_run(const RunRecord& r) {
  return !r.error_sqlstate.empty() || !r.error_message.empty();
}

// Counts a run that was not logged in its database's entry, when there is shared memory.
void count(uint64 DatabaseEntry::*counter) {
  if (shared() == nullptr) {
    return;
  }
  AuditLock lock;
  if (DatabaseEntry* e = database_entry(MyDatabaseId, true)) {
    ++(e->*counter);
  }
}

// Why a run could not be queued in time: every slot of the queue was taken, or every database entry
// of the shared memory (kMaxDatabases), each in use by a database with runs waiting or a writer.
enum class NoRoom { queue, database_entry };

// Reports a run that could not be queued: a WARNING for a failed run (counted as dropped), SQLSTATE
// 53400 for a successful one (its result is withheld).
void refuse(NoRoom why, bool failed_run) {
  const std::string waited = "waited " + std::to_string(g_queue_timeout_ms) + " ms for one.";
  const bool queue_full = why == NoRoom::queue;
  const std::string reason =
      queue_full ? "the audit log queue is full" : "the audit log has no room for another database";
  const std::string detail =
      queue_full ? "All " + std::to_string(queue().capacity()) +
                       " places of the queue hold runs not yet written; " + waited
                 : "All " + std::to_string(kMaxDatabases) +
                       " database entries of the audit log's shared memory are taken by databases with "
                       "runs waiting or a writer running; " +
                       waited;
  const std::string hint =
      queue_full ? "Check autoreport.audit_status and the server log for the audit log writers; "
                   "raise autoreport.audit_queue_size."
                 : "Check autoreport.audit_status and the server log for the audit log writers; an entry "
                   "is freed once its database's runs are written and its writer has left.";
  if (failed_run) {
    count(&DatabaseEntry::dropped);
    const std::string message = "a failed report run was not logged: " + reason;
    pg::guard([&] {
      ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED), errmsg_internal("%s", message.c_str()),
                        errdetail_internal("%s", detail.c_str()), errhint("%s", hint.c_str())));
    });
    return;
  }
  throw Error(sqlstate::configuration_limit_exceeded, "the report ran but cannot be logged: " + reason)
      .with_detail(detail + " The result is withheld, since every run must be logged.")
      .with_hint(hint);
}

// The preloaded path: into the queue, waking or starting the database's writer. Waits up to
// autoreport.audit_queue_timeout for room.
void enqueue(QueuedRun& run, bool failed_run) {
  const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), g_queue_timeout_ms);
  bool may_start = true;
  bool queued = false;
  bool prepared = false;
  NoRoom why = NoRoom::queue;
  for (;;) {
    WriterAction action;
    {
      AuditLock lock;
      DatabaseEntry* e = database_entry(MyDatabaseId, true);
      why = e == nullptr ? NoRoom::database_entry : NoRoom::queue;
      if (e != nullptr) {
        // Taken under the lock, so that `at` never decreases along the chain.
        run.head.at = GetCurrentTimestamp();
        queued = queue().push(run);
        if (queued) {
          ++e->recorded;
        }
        // Also when the queue is full: this database's own runs may be what fills it.
        action = plan_writer(*e, may_start);
      }
    }
    if (!carry_out(action)) {
      may_start = false; // one WARNING per run is enough
    }
    if (queued) {
      break;
    }
    const TimestampTz now = GetCurrentTimestamp();
    if (now >= deadline) {
      break;
    }
    sleep_for_progress(now, deadline, prepared);
  }
  end_progress_wait(prepared);
  if (!queued) {
    refuse(why, failed_run);
  }
}

// The owner of autoreport.runs, as whom the direct path inserts.
Oid runs_owner() {
  return pg::guard([] {
    const Oid rel = get_relname_relid("runs", get_namespace_oid("autoreport", false));
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
    if (!HeapTupleIsValid(tuple)) {
      elog(ERROR, "cache lookup failed for relation autoreport.runs");
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
  });
}

// Acts as the owner of autoreport.runs for its lifetime, with search_path pinned, and back as the
// caller afterwards (also when an exception unwinds): callers have no privilege on the table.
class AsRunsOwner {
public:
  AsRunsOwner() {
    const Oid owner = runs_owner();
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    level_ = pg::guard([] {
      const int level = NewGUCNestLevel();
      set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                        true, 0, false);
      return level;
    });
    SetUserIdAndSecContext(owner,
                           saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
  }
  ~AsRunsOwner() {
    SetUserIdAndSecContext(saved_user_, saved_context_);
    try {
      pg::guard([this] { AtEOXact_GUC(true, level_); });
    } catch (...) {
      // Restoring a saved setting does not fail; if it did, the transaction's end restores it.
    }
  }
  AsRunsOwner(const AsRunsOwner&) = delete;
  AsRunsOwner& operator=(const AsRunsOwner&) = delete;

private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
  int level_ = 0;
};

// The path without preloading: the row goes into the caller's transaction, under the chain lock.
void append_directly(const QueuedRun& run, bool failed_run) {
  // A failed run's error aborts the (sub)transaction the row would be in; a transaction that caught a
  // PostgreSQL error without a subtransaction, or is read-only, cannot take it either.
  if (failed_run || !IsTransactionState() || IsAbortedTransactionBlockState() ||
      pg::detail::unresolved_errors() > 0 || XactReadOnly || IsParallelWorker()) {
    return;
  }
  if (!runs_table_exists()) {
    return; // autoreport is being dropped
  }
  AsRunsOwner owner;
  pg::SpiConnection spi;
  ChainAppender appender(spi);
  appender.append(pending_from(run));
}

// What the log keeps of a refused call: the name it asked for and the SQLSTATE, nothing else the
// caller chose.
RunRecord refused_call(const RunRecord& record) {
  RunRecord kept;
  kept.report = record.report; // pack_run cuts it to 63 bytes
  kept.duration_ms = record.duration_ms;
  kept.error_sqlstate = record.error_sqlstate;
  kept.error_message = kRefusedMessage;
  kept.stage = record.stage;
  return kept;
}

// Whether a run that failed before its query ran may be logged, within its role's budget; counts it
// as dropped when not. Only with shared memory: without it a failed run is not logged at all.
bool within_refusal_budget() {
  if (shared() == nullptr) {
    return true;
  }
  AuditLock lock;
  if (admit_refusal(shared()->refusals, GetUserId(), GetCurrentTimestamp(), g_refusals_per_minute)) {
    return true;
  }
  if (DatabaseEntry* e = database_entry(MyDatabaseId, true)) {
    ++e->refusals_dropped;
  }
  return false;
}

} // namespace

void record_run(const RunRecord& original) {
  if (pg::guard([] { return RecoveryInProgress(); })) {
    count(&DatabaseEntry::skipped);
    return;
  }
  const bool refused = is_failed_run(original) && original.stage == RunStage::call;
  const RunRecord refused_record = refused ? refused_call(original) : RunRecord{};
  const RunRecord& record = refused ? refused_record : original;
  if (is_failed_run(record) && record.stage != RunStage::reading && !within_refusal_budget()) {
    return;
  }
  auto run = std::make_unique<QueuedRun>();
  pack_run(record, MyDatabaseId, GetUserId(), GetCurrentTimestamp(), clip, *run);
  if (shared() != nullptr) {
    enqueue(*run, is_failed_run(record));
  } else {
    append_directly(*run, is_failed_run(record));
  }
}

void init() {
  pg::guard([] {
    // A server-start setting can only be defined while preloading; without preloading there is no queue.
    if (process_shared_preload_libraries_in_progress) {
      DefineCustomIntVariable(
          "autoreport.audit_queue_size", "Runs the audit log queue holds (8 kB each).",
          "Runs wait there until their database's writer appends them to autoreport.runs.", &g_queue_size,
          1024, 16, 65536, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    }
    DefineCustomIntVariable(
        "autoreport.audit_queue_timeout", "How long a run waits for room in a full audit log queue.",
        "A successful run that cannot be logged in time fails with SQLSTATE 53400.", &g_queue_timeout_ms,
        5000, 0, 600000, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "autoreport.audit_refusals_per_minute",
        "Refused report calls the audit log takes per role and minute.",
        "Calls that fail before the report's query runs (no such report, no EXECUTE, invalid parameters) "
        "beyond this are not logged, only counted in autoreport.audit_status.refusals_dropped.",
        &g_refusals_per_minute, 60, 0, 1000000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("autoreport.audit_writer_idle_timeout",
                            "How long an audit log writer waits for work before it exits.",
                            "A writer keeps a connection to its database while it waits; DROP DATABASE waits "
                            "only 5 s for such connections to go.",
                            &g_writer_idle_timeout_ms, 2000, 100, 3600000, PGC_SIGHUP, GUC_UNIT_MS, nullptr,
                            nullptr, nullptr);
  });
  shared_init();
}

} // namespace autoreport::audit
