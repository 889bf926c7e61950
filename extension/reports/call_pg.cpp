// Calling a report: its own function reports.<name>(...) and the generic autoreport.run(name, params).
#include "common/convert_pg.hpp"
#include "reports/execute_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
}

#include <array>

using namespace autoreport;
using namespace autoreport::reports;
namespace pg = autoreport::pg;

namespace {

// The report a reports.<name> function serves, refusing SECURITY DEFINER: a report runs with the
// privileges of its caller, always.
std::string report_of_function(Oid fn) {
  struct Found {
    NameData name;
    bool definer;
  };
  const Found f = pg::guard([&] {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
    if (!HeapTupleIsValid(tuple)) {
      elog(ERROR, "cache lookup failed for function %u", fn);
    }
    Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    Found out{proc->proname, proc->prosecdef};
    ReleaseSysCache(tuple);
    return out;
  });
  const std::string name = NameStr(f.name);
  if (f.definer) {
    throw Error(sqlstate::insufficient_privilege,
                "report function reports." + name + " must not be SECURITY DEFINER")
        .with_hint("Reports run with the privileges of their caller: ALTER FUNCTION ... SECURITY INVOKER.");
  }
  return name;
}

// The result rows must still have the types the function declares; a table altered since the
// report's definition could change them.
void check_row_shape(const ReportVersion& report, TupleDesc declared, TupleDesc actual) {
  bool same = declared->natts == actual->natts;
  for (int i = 0; same && i < declared->natts; ++i) {
    same = TupleDescAttr(declared, i)->atttypid == TupleDescAttr(actual, i)->atttypid;
  }
  if (!same) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "report \"" + report.name + "\" no longer returns the columns its function declares")
        .with_detail("A table or view it reads has changed since version " + std::to_string(report.version) +
                     ".")
        .with_hint("Redefine the report with autoreport.define_report().");
  }
}

} // namespace

// The body of every reports.<name>(...) function.
AUTOREPORT_FUNCTION(autoreport_report_call) {
  const std::string name = report_of_function(fcinfo->flinfo->fn_oid);
  const ReportVersion report = load_report(name);
  const BoundParams params = bind_args(report, fcinfo);
  pg::TupleSink sink(fcinfo);
  execute_report(report, params, [&](SPITupleTable* rows, uint64 n) {
    check_row_shape(report, sink.descriptor(), rows->tupdesc);
    for (uint64 i = 0; i < n; ++i) {
      sink.put_tuple(rows->vals[i]);
    }
  });
  return Datum(0);
}

// autoreport.run(name, params jsonb) → one jsonb object per row.
AUTOREPORT_FUNCTION(autoreport_run) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "report name must not be null");
  }
  const ReportVersion report = load_report(pg::text_to_string(PG_GETARG_DATUM(0)));
  check_may_run(report);
  const BoundParams params =
      bind_json(report, PG_ARGISNULL(1) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(1)));
  pg::TupleSink sink(fcinfo, true);
  execute_report(
      report, params,
      [&](SPITupleTable* rows, uint64 n) {
        for (uint64 i = 0; i < n; ++i) {
          bool is_null = false;
          const Datum d = pg::guard([&] { return SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &is_null); });
          const std::array<Datum, 1> values = {d};
          const std::array<bool, 1> nulls = {is_null};
          sink.put(values, nulls);
        }
      },
      "SELECT pg_catalog.to_jsonb(r) FROM $report AS r");
  return Datum(0);
}
