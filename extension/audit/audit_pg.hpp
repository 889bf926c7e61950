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
void record_run(const RunRecord& record);

// Runs run() as one report run and records it, whether it succeeds or fails; a failure is then
// rethrown unchanged. run() fills in what it learns as it goes (version, params_json, rows, bytes,
// cache_hit); the duration and the error are filled in here.
//
//   audit::RunRecord rec;
//   rec.report = name;
//   audit::audited(rec, [&] { ...; rec.version = report.version; rec.rows = outcome.rows; });
template <typename F> void audited(RunRecord& record, F&& run) {
  const auto start = std::chrono::steady_clock::now();
  const auto finish = [&](const char* sqlstate, const char* message) {
    record.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    record.error_sqlstate = sqlstate;
    record.error_message = message;
    record_run(record);
  };
  try {
    run();
  } catch (const Error& e) {
    finish(e.sqlstate().c_str(), e.message().c_str());
    throw;
  } catch (const Interrupted& e) {
    finish("57014", e.what());
    throw;
  } catch (const std::bad_alloc&) {
    finish("53200", "out of memory");
    throw;
  } catch (const std::exception& e) {
    finish("XX000", e.what());
    throw;
  } catch (...) {
    finish("XX000", "unknown C++ exception");
    throw;
  }
  finish("", "");
}

} // namespace autoreport::audit

namespace autoreport::pg {
// Called from _PG_init: defines the autoreport.audit_* settings and, when preloading, requests the
// audit queue's shared memory.
void audit_init();
} // namespace autoreport::pg
