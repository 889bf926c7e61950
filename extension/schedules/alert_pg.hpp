// A job's alert condition: checked at definition (one boolean SQL expression over the report's result
// columns, reading nothing else and calling only immutable functions), evaluated after each run over
// the rows the run rendered.
#pragma once

#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/tupdesc.h"
#include "utils/tuplestore.h"
}

#include <string>
#include <vector>

namespace autoreport::schedules {

// "row" when the condition is evaluated per row (revenue < 1000), "result" when it aggregates the
// whole result (count(*) > 0, max(score) > 4). 22023 saying why otherwise: not one expression, not
// boolean, reads a table or a subquery, calls a function that is not immutable, a set-returning or a
// window function, or fails to parse or resolve (the parser's message is kept).
std::string check_alert(const std::string& condition, const std::vector<reports::ResultColumn>& columns);

// What evaluating an alert found.
struct AlertFinding {
  bool held = false;
  // When it held, a compact JSON object saying why, for the `alert` event:
  //   row scope:    {"matching_rows": N, "rows": [up to 5 matching rows as JSON objects]}
  //   result scope: {"values": {"<aggregate as written>": value, ...}}
  // Always well under 4000 bytes (long values are cut).
  std::string detail_json;
};

// Evaluates `condition` of `scope` (as check_alert() returned) over `rows` (tuples of `desc`), as the
// current user, with search_path pg_catalog, through an ephemeral named relation: nothing but those
// rows is read. Errors (a division by zero in the condition) are raised as Error with their SQLSTATE.
//
// Every statement built around the condition is prepared and checked before it runs (one expression
// over `result`, no other relation, no subquery, only immutable functions): a condition refused there
// is 22023 "invalid alert condition ...", whatever check_alert() said. The work runs in its own
// subtransaction, rolled back on error, so the caller may catch Error and carry on (record the failure);
// an Interrupted (cancel, timeout) is not an Error and must be let through. `rows` is read through new
// read pointers (tuplestore_alloc_read_pointer with EXEC_FLAG_REWIND, as a trigger's transition table
// is), so a tuplestore made with tuplestore_begin_heap(false, false, work_mem) will do; it is left as is.
// A condition that yields NULL does not hold. detail_json is empty when it did not hold.
AlertFinding evaluate_alert(const std::string& condition, const std::string& scope, TupleDesc desc,
                            Tuplestorestate* rows);

} // namespace autoreport::schedules
