// autoreport.audit_status and autoreport.audit_flush(): the audit queue seen from SQL.
#include "audit/shared_pg.hpp"
#include "common/convert_pg.hpp"

extern "C" {
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

using namespace autoreport;
using namespace autoreport::audit;
namespace pg = autoreport::pg;

namespace {

// A copy of an entry taken under the lock, with its queued count.
struct EntrySnapshot {
  DatabaseEntry entry;
  int64 queued;
};

// The flush timeout in milliseconds from an interval argument.
long timeout_ms(Datum interval_datum) {
  const Interval* iv = DatumGetIntervalP(interval_datum);
  if (iv->month != 0 || iv->day != 0) {
    // Months and days have no fixed length; a wait that long is not meant.
    throw Error(sqlstate::invalid_parameter_value, "timeout must be less than a day")
        .with_hint("Pass a timeout such as '5 s' or '2 min'.");
  }
  if (iv->time < 0) {
    throw Error(sqlstate::invalid_parameter_value, "timeout must not be negative");
  }
  return static_cast<long>(std::min<int64>(iv->time / 1000, 86400000));
}

} // namespace

// autoreport.audit_status_rows(): one row per database that recorded runs since the server started.
AUTOREPORT_FUNCTION(autoreport_audit_status_rows) {
  pg::require_preload("autoreport.audit_status");
  if (shared() == nullptr) {
    throw Error(sqlstate::object_not_in_prerequisite_state, "the autoreport audit queue is not initialised")
        .with_detail("Another library in shared_preload_libraries may not chain shmem_startup_hook.");
  }
  std::vector<EntrySnapshot> rows;
  rows.reserve(kMaxDatabases);
  {
    AuditLock lock;
    const QueueView q = queue();
    for (const DatabaseEntry& e : shared()->databases) {
      if (e.database != InvalidOid) {
        rows.push_back({e, static_cast<int64>(q.pending(e.database))});
      }
    }
  }
  pg::TupleSink sink(fcinfo);
  for (const EntrySnapshot& r : rows) {
    const DatabaseEntry& e = r.entry;
    const std::array<Datum, 10> values = {
        ObjectIdGetDatum(e.database),
        Int64GetDatum(r.queued),
        Int32GetDatum(e.writer_pid),
        Int64GetDatum(static_cast<int64>(e.recorded)),
        Int64GetDatum(static_cast<int64>(e.written)),
        Int64GetDatum(static_cast<int64>(e.dropped)),
        Int64GetDatum(static_cast<int64>(e.failed)),
        Int64GetDatum(static_cast<int64>(e.skipped)),
        Int64GetDatum(static_cast<int64>(e.refusals_dropped)),
        TimestampTzGetDatum(e.last_written_at),
    };
    const std::array<bool, 10> nulls = {false, false, e.writer_pid == 0,     false, false, false, false,
                                        false, false, e.last_written_at == 0};
    sink.put(values, nulls);
  }
  return Datum(0);
}

// autoreport.audit_flush(timeout): waits until every run recorded in this database before the call is
// in autoreport.runs (starting its writer if need be); false when the timeout passed first. Without
// preloading runs are written as they are recorded, so there is nothing to wait for.
AUTOREPORT_FUNCTION(autoreport_audit_flush) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "timeout must not be null");
  }
  const long limit_ms = timeout_ms(PG_GETARG_DATUM(0));
  AuditShared* s = shared();
  if (s == nullptr) {
    PG_RETURN_BOOL(true);
  }
  const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), limit_ms);
  uint64 through = 0;
  bool prepared = false;
  bool done = false;
  bool may_start = true;
  for (;;) {
    WriterAction action;
    {
      AuditLock lock;
      QueueView q = queue();
      if (through == 0) {
        through = q.last_seq();
      }
      done = q.pending(MyDatabaseId, through) == 0;
      DatabaseEntry* e = done ? nullptr : database_entry(MyDatabaseId, false);
      if (e != nullptr) {
        action = plan_writer(*e, may_start);
      }
    }
    if (!carry_out(action)) {
      may_start = false;
    }
    const TimestampTz now = GetCurrentTimestamp();
    if (done || now >= deadline) {
      break;
    }
    sleep_for_progress(now, deadline, prepared);
  }
  end_progress_wait(prepared);
  PG_RETURN_BOOL(done);
}
