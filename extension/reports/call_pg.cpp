// Calling a report: its own function reports.<name>(...) and the generic autoreport.run(name, params).
#include "audit/audit_pg.hpp"
#include "common/convert_pg.hpp"
#include "reports/execute_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/fmgrprotos.h"
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
  audit::RunRecord rec;
  rec.report = name;
  audit::audited(rec, [&] {
    const ReportVersion report = load_report(name);
    rec.version = report.version;
    rec.stage = audit::RunStage::admitted; // PostgreSQL checked EXECUTE on the function
    const BoundParams params = bind_args(report, fcinfo);
    rec.params_json = params.json;
    rec.stage = audit::RunStage::reading;
    pg::TupleSink sink(fcinfo);
    bool checked = false;
    const RunOutcome outcome = produce_rows(report, params, [&](TupleDesc desc, std::span<HeapTuple> rows) {
      if (!checked) {
        check_row_shape(report, sink.descriptor(), desc);
        checked = true;
      }
      for (HeapTuple t : rows) {
        sink.put_tuple(t);
      }
    });
    rec.rows = static_cast<int64_t>(outcome.rows);
    rec.cache_hit = outcome.cache_hit;
  });
  return Datum(0);
}

// autoreport.run(name, params jsonb) → one jsonb object per row, as to_jsonb(row) would give.
AUTOREPORT_FUNCTION(autoreport_run) {
  audit::RunRecord rec;
  rec.report = PG_ARGISNULL(0) ? "" : pg::text_to_string(PG_GETARG_DATUM(0));
  rec.params_json = PG_ARGISNULL(1) ? "" : pg::jsonb_to_string(PG_GETARG_DATUM(1));
  audit::audited(rec, [&] {
    if (PG_ARGISNULL(0)) {
      throw Error(sqlstate::invalid_parameter_value, "report name must not be null");
    }
    const ReportVersion report = load_report(rec.report);
    rec.version = report.version;
    check_may_run(report);
    rec.stage = audit::RunStage::admitted;
    const BoundParams params = bind_json(report, rec.params_json);
    rec.params_json = params.json;
    rec.stage = audit::RunStage::reading;
    pg::TupleSink sink(fcinfo, true);
    TupleDesc blessed = nullptr;
    const RunOutcome outcome = produce_rows(report, params, [&](TupleDesc desc, std::span<HeapTuple> rows) {
      if (blessed == nullptr) {
        blessed = pg::guard([&] {
          MemoryContext old = MemoryContextSwitchTo(sink.memory());
          TupleDesc copy = CreateTupleDescCopy(desc);
          BlessTupleDesc(copy);
          MemoryContextSwitchTo(old);
          return copy;
        });
      }
      for (HeapTuple t : rows) {
        const Datum jsonb = pg::guard([&] {
          Datum row = heap_copy_tuple_as_datum(t, blessed);
          Datum json = DirectFunctionCall1(row_to_json, row);
          return DirectFunctionCall1(jsonb_in, CStringGetDatum(TextDatumGetCString(json)));
        });
        const std::array<Datum, 1> values = {jsonb};
        const std::array<bool, 1> nulls = {false};
        sink.put(values, nulls);
      }
    });
    rec.rows = static_cast<int64_t>(outcome.rows);
    rec.cache_hit = outcome.cache_hit;
  });
  return Datum(0);
}
