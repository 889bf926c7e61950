// The audit log of report runs (autoreport.runs): the call every run makes when it ends.
#pragma once

#include "common/postgres.hpp" // first, as in every glue file (PostgreSQL's port.h before <cstdio>)

#include "audit/run_record.hpp"
#include "common/error.hpp"

#include <chrono>
#include <exception>
#include <new>

namespace autoreport::audit {

// Records a run in the audit log. Call it once at the end of every run, successful or not; it is
// safe to call after a PostgreSQL error was caught (it then touches neither catalogs nor SPI on the
// preloaded path).
//
// The role is GetUserId() and the time is now, both taken here. With autoreport preloaded the run is
// queued in shared memory and appended by its database's background writer in a transaction of its
// own, so it is logged even if the caller's transaction rolls back (and even in a read-only
// transaction). When the queue stays full for autoreport.audit_queue_timeout, a successful run fails
// with SQLSTATE 53400 (a result is never delivered unlogged) and a failed run is counted as dropped
// with a WARNING (its own error still reaches the caller).
//
// Without preloading, the row is inserted directly in the caller's transaction under the chain lock:
// runs wait on each other, and a run whose transaction rolls back, or which failed, is not logged.
// On a hot standby nothing can be written: the run is not logged (and counted as skipped).
//
// What is kept of a failed run depends on how far it got (record.stage):
// - refused calls (RunStage::call: no such report, no EXECUTE, no name) keep only the report name
//   (cut to 63 bytes), the SQLSTATE and kRefusedMessage: no parameters, format or error text, all of
//   which the caller chose;
// - runs that failed before their query ran (RunStage::call and RunStage::admitted: also invalid
//   parameters, format or options) are logged at most autoreport.audit_refusals_per_minute times per
//   role and minute; the others are counted in autoreport.audit_status.refusals_dropped;
// - errors raised while the query ran or its rows were rendered (RunStage::reading) keep their
//   SQLSTATE and kRedactedMessage, not their text, which may quote data the caller may read but an
//   administrator reading the log may not (a value hidden by row-level security, for one).
void record_run(const RunRecord& record);

// What the audit log stores instead of the message of a refused call, and of an error raised while
// the report read data.
inline constexpr const char* kRefusedMessage = "call refused (its parameters and error text are not logged)";
inline constexpr const char* kRedactedMessage = "error raised while reading data (its text is not logged)";

// Runs run() as one report run and records it, whether it succeeds or fails; a failure is then
// rethrown unchanged. run() fills in what it learns as it goes (version, params_json, rows, bytes,
// cache_hit); the duration and the error are filled in here.
//
// run() also moves record.stage on: to RunStage::admitted once the report is known and the caller may
// run it, to RunStage::reading just before its query runs (see record_run for what that changes).
//
//   audit::RunRecord rec;
//   rec.report = name;
//   audit::audited(rec, [&] {
//     ...; rec.version = report.version; rec.stage = audit::RunStage::admitted;
//     ...; rec.stage = audit::RunStage::reading; ...; rec.rows = outcome.rows;
//   });
template <typename F> void audited(RunRecord& record, F&& run) {
  const auto start = std::chrono::steady_clock::now();
  // fixed: the message is a fixed text of autoreport's own, which quotes no data.
  const auto finish = [&](const char* sqlstate, const char* message, bool fixed) {
    record.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    record.error_sqlstate = sqlstate;
    record.error_message = fixed || record.stage != RunStage::reading ? message : kRedactedMessage;
    record_run(record);
  };
  try {
    run();
  } catch (const Error& e) {
    finish(e.sqlstate().c_str(), e.message().c_str(), false);
    throw;
  } catch (const Interrupted& e) {
    finish(sqlstate::query_canceled.data(), e.what(),
           false); // user code may raise 57014 with a message of its own
    throw;
  } catch (const std::bad_alloc&) {
    finish(sqlstate::out_of_memory.data(), "out of memory", true);
    throw;
  } catch (const std::exception& e) {
    finish(sqlstate::internal_error.data(), e.what(), false);
    throw;
  } catch (...) {
    finish(sqlstate::internal_error.data(), "unknown C++ exception", true);
    throw;
  }
  finish("", "", true);
}

// Called from _PG_init: defines the autoreport.audit_* settings and, when preloading, requests the
// audit queue's shared memory.
void init();
} // namespace autoreport::audit
