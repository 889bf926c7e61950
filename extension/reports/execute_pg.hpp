// Running a report: its parameters bound, its definition's search_path applied, its rows fetched
// through a cursor in batches (a large result never sits whole in memory), served from and stored
// into the result cache when the query allows it.
#pragma once

#include "reports/binding_pg.hpp"

#include <functional>
#include <span>
#include <string>

namespace autoreport::reports {

// Called for each batch of rows, all of the same descriptor; the tuples are valid during the call.
using RowsFn = std::function<void(TupleDesc desc, std::span<HeapTuple> rows)>;

struct RunOutcome {
  uint64 rows = 0;
  bool cache_hit = false;
  std::string cache_bypass; // why the cache was not used, when it was not
};

// Runs the report (or serves it from the cache) and calls on_rows for every batch.
RunOutcome produce_rows(const ReportVersion& report, const BoundParams& params, const RowsFn& on_rows);

} // namespace autoreport::reports
