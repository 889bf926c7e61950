// Running a report's query: its parameters bound, its definition's search_path applied, its rows
// fetched through a cursor in batches so that a large result never sits whole in memory.
#pragma once

#include "reports/binding_pg.hpp"

#include <functional>
#include <string>

namespace autoreport::reports {

// Called for each batch of rows; the tuple table is freed after the call.
using BatchFn = std::function<void(SPITupleTable* rows, uint64 count)>;

// Runs the report (or `wrapper`, a query in which the text "$report" stands for the report's query as a
// subquery) and calls on_batch for every batch. Returns the number of rows.
uint64 execute_report(const ReportVersion& report, const BoundParams& params, const BatchFn& on_batch,
                      const std::string& wrapper = "");

} // namespace autoreport::reports
