// Calling a report: its own function reports.<name>(...) and the generic autoreport.run(name, params).
#include "audit/audit_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/relative_date.hpp"
#include "common/time_zone_pg.hpp"
#include "reports/execute_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/timestamp.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
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

// The name of a function, for the audit log of a call that fails before its report is known.
std::string function_name(Oid fn) {
  const char* name = pg::guard([&] { return get_func_name(fn); });
  return name != nullptr ? name : "";
}

// The result rows must still have the types the function declares; a table altered since the
// report's definition could change them.
void check_row_shape(const ReportVersion& report, TupleDesc declared, TupleDesc actual) {
  std::string change;
  if (declared->natts != actual->natts) {
    change = "Its row type reports." + report.name + " has " + std::to_string(declared->natts) +
             " columns, the query returns " + std::to_string(actual->natts) + ".";
  }
  for (int i = 0; change.empty() && i < declared->natts; ++i) {
    const Form_pg_attribute d = TupleDescAttr(declared, i);
    const Form_pg_attribute a = TupleDescAttr(actual, i);
    if (d->atttypid != a->atttypid) {
      const std::string was = pg::guard([&] { return format_type_be(d->atttypid); });
      const std::string now = pg::guard([&] { return format_type_be(a->atttypid); });
      change = "Column \"" + std::string(NameStr(a->attname)) + "\" is declared " + was +
               " but the query now returns " + now +
               ": a table, view or type it reads changed since version " + std::to_string(report.version) +
               ".";
    }
  }
  if (!change.empty()) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "report \"" + report.name + "\" no longer returns the columns its function declares")
        .with_detail(change)
        .with_hint("Redefine the report with autoreport.define_report().");
  }
}

} // namespace

// The body of every reports.<name>(...) function.
// The report is the one whose function this is, by OID: never by the function's name, which its
// owner could have changed (and the function is checked to be as autoreport made it).
AUTOREPORT_FUNCTION(autoreport_report_call) {
  const Oid fn = fcinfo->flinfo->fn_oid;
  audit::RunRecord rec;
  rec.report = function_name(fn);
  audit::audited(rec, [&] {
    lock_report_function(fn, rec.report);
    const ReportVersion report = load_report_of_function(fn);
    rec.report = report.name;
    rec.version = report.version;
    verify_report_function(report, fn);
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

// autoreport.required(parameter text, type anyelement) → anyelement: the DEFAULT of a required
// parameter of reports.<name>(...), evaluated only when the call leaves the parameter out.
AUTOREPORT_FUNCTION(autoreport_required) {
  const std::string name = PG_ARGISNULL(0) ? std::string("?") : pg::text_to_string(PG_GETARG_DATUM(0));
  const Oid type = pg::guard([&] { return get_fn_expr_argtype(fcinfo->flinfo, 1); });
  const std::string type_name =
      OidIsValid(type) ? std::string(pg::guard([&] { return format_type_be(type); })) : "a value";
  throw Error(sqlstate::invalid_parameter_value, "parameter \"" + name + "\" is required")
      .with_detail("The report needs a value of type " + type_name + ".")
      .with_hint("Pass it by name: " + name + " => ...");
}

// autoreport.relative_date(expression text) → timestamptz: a relative date ("today", "start of last
// month", "today - 7 days") at the start of the transaction (as now()), in the session's TimeZone.
AUTOREPORT_FUNCTION(autoreport_relative_date) {
  const RelativeDate date = parse_relative_date(pg::text_to_string(PG_GETARG_DATUM(0)));
  std::optional<TimestampTz> t;
  resolve_at_transaction_start(date, &t);
  if (!t) {
    throw Error(sqlstate::datetime_field_overflow, "relative date is out of range for type timestamptz");
  }
  return TimestampTzGetDatum(*t);
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
    const ReportVersion report = load_report_locked(rec.report);
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
