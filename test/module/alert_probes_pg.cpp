// Alert probes: a SQL function over the C++ API of extension/schedules/alert_pg.hpp (check_alert and
// evaluate_alert), which the run worker calls and which has no SQL entry of its own. Built into
// build/autoreport_test.so for the tests; never installed.
#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"
#include "schedules/alert_pg.hpp"

extern "C" {
#include "miscadmin.h"
}

#include <array>
#include <string>
#include <vector>

namespace pg = autoreport::pg;
namespace schedules = autoreport::schedules;

namespace {

// The rows of `sql` in a tuplestore of the caller's memory, as the worker holds a run's result, and
// their descriptor; the result's columns as the report catalog describes them.
struct Rows {
  TupleDesc desc = nullptr;
  Tuplestorestate* store = nullptr;
  std::vector<autoreport::reports::ResultColumn> columns;
};

Rows collect(const std::string& sql) {
  Rows rows;
  const MemoryContext caller = CurrentMemoryContext;
  pg::SpiConnection spi;
  const pg::SpiResult r = spi.execute(sql, {}, true);
  if (SPI_tuptable == nullptr) {
    throw autoreport::Error(autoreport::sqlstate::invalid_parameter_value, "the query returns no rows");
  }
  SPITupleTable* table = SPI_tuptable;
  pg::guard([&] {
    const MemoryContext previous = MemoryContextSwitchTo(caller);
    rows.desc = CreateTupleDescCopy(table->tupdesc);
    rows.store = tuplestore_begin_heap(false, false, work_mem);
    MemoryContextSwitchTo(previous);
    for (uint64 i = 0; i < r.rows(); ++i) {
      tuplestore_puttuple(rows.store, table->vals[i]);
    }
  });
  for (int i = 0; i < rows.desc->natts; ++i) {
    const Form_pg_attribute a = TupleDescAttr(rows.desc, i);
    rows.columns.push_back({NameStr(a->attname), a->atttypid, a->atttypmod, "", "", ""});
  }
  return rows;
}

} // namespace

// ar_test_evaluate_alert(condition text, query text, scope text DEFAULT NULL)
//   -> (scope text, held boolean, detail jsonb)
// Runs `query`, keeps its rows in a tuplestore, and evaluates `condition` over them with
// evaluate_alert(). The scope is check_alert()'s, or `scope` when given: then the condition is not
// checked first, so that evaluate_alert's own refusals can be seen. detail is NULL when it did not hold.
AUTOREPORT_FUNCTION(ar_test_evaluate_alert) {
  const std::string condition = pg::text_to_string(PG_GETARG_DATUM(0));
  const Rows rows = collect(pg::text_to_string(PG_GETARG_DATUM(1)));
  const std::string scope = PG_ARGISNULL(2) ? schedules::check_alert(condition, rows.columns)
                                            : pg::text_to_string(PG_GETARG_DATUM(2));
  const schedules::AlertFinding f = schedules::evaluate_alert(condition, scope, rows.desc, rows.store);
  const std::array<Datum, 3> values = {
      pg::string_to_text(scope),
      BoolGetDatum(f.held),
      f.detail_json.empty() ? Datum(0) : pg::string_to_jsonb(f.detail_json),
  };
  const std::array<bool, 3> nulls = {false, false, f.detail_json.empty()};
  return pg::make_result_record(fcinfo, values, nulls);
}
