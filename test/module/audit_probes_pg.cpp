// Audit log probes: SQL functions that call the C++ API of extension/audit/ (record_run, audited), which
// has no SQL entry of its own. Built into build/autoreport_test.so for the tests; never installed.
//
// This module is not preloaded: it has no audit queue of its own, so record_run() takes the direct path
// here (the row goes into the caller's transaction under the chain lock). The preloaded path is
// exercised through the report functions of autoreport.so (sql/audit_runs.sql).
#include "audit/audit_pg.hpp"
#include "common/convert_pg.hpp"

#include <stdexcept>
#include <string>

namespace audit = autoreport::audit;
namespace pg = autoreport::pg;

namespace {

std::string text_or_empty(FunctionCallInfo fcinfo, int arg) {
  return PG_ARGISNULL(arg) ? std::string() : pg::text_to_string(PG_GETARG_DATUM(arg));
}

} // namespace

// ar_test_record_run(report, version, params, rows, bytes, duration_ms, cache_hit, format, sqlstate,
// message): one call of record_run() with these fields (NULL text → "", NULL numbers → unknown).
AUTOREPORT_FUNCTION(ar_test_record_run) {
  audit::RunRecord r;
  r.report = text_or_empty(fcinfo, 0);
  r.version = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1);
  r.params_json = text_or_empty(fcinfo, 2);
  r.rows = PG_ARGISNULL(3) ? -1 : PG_GETARG_INT64(3);
  r.bytes = PG_ARGISNULL(4) ? -1 : PG_GETARG_INT64(4);
  r.duration_ms = PG_ARGISNULL(5) ? 0 : PG_GETARG_FLOAT8(5);
  r.cache_hit = !PG_ARGISNULL(6) && PG_GETARG_BOOL(6);
  r.format = text_or_empty(fcinfo, 7);
  r.error_sqlstate = text_or_empty(fcinfo, 8);
  r.error_message = text_or_empty(fcinfo, 9);
  audit::record_run(r);
  PG_RETURN_VOID();
}

// ar_test_audited(report, outcome): a run through audited(): outcome 'ok' returns 7 rows, 'error'
// throws autoreport::Error 22023, 'std' throws std::runtime_error. The error reaches the caller
// unchanged.
AUTOREPORT_FUNCTION(ar_test_audited) {
  audit::RunRecord r;
  r.report = pg::text_to_string(PG_GETARG_DATUM(0));
  const std::string outcome = pg::text_to_string(PG_GETARG_DATUM(1));
  audit::audited(r, [&] {
    r.version = 1;
    if (outcome == "error") {
      throw autoreport::Error(autoreport::sqlstate::invalid_parameter_value, "probe run failed");
    }
    if (outcome == "std") {
      throw std::runtime_error("probe run failed in C++");
    }
    r.rows = 7;
  });
  PG_RETURN_VOID();
}
