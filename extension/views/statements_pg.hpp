// How a refresh runs its statements (statements_pg.cpp): at the refresh's snapshot, with plans kept per
// backend; and a full refresh that writes only the rows that differ.
#pragma once

#include "common/spi_pg.hpp"
#include "views/shape.hpp"

#include <cstdint>
#include <span>
#include <string>

extern "C" {
#include "utils/snapshot.h"
}

namespace autoreport::views {

// Runs sql with bound parameters at snapshot `snap` (the statement may write; it sees the effects of
// the earlier statements of this transaction), or at the statement's own snapshot when snap is
// InvalidSnapshot. Its plan is kept for the backend (see statements_pg.cpp); generic: planned once for
// any parameters (false for the statements whose work grows with the changes, when many changed).
pg::SpiResult execute_at(Snapshot snap, const std::string& sql, std::span<const pg::SpiParam> params,
                         bool read_only = false, bool generic = true);

// Refreshes the view in table `view` (maintained by `m`, whose key_columns() are not empty) in full
// at `snap`, writing only the rows that differ (after a crash, a restore or a TRUNCATE of a dimension,
// most rows are as they were): one statement compares the query with the table
// (m.full_difference()), into a tuplestore that the DELETE and INSERT of m.apply_difference() read as
// a relation. Returns the rows that differed (a changed row counts once).
int64_t refresh_full_by_difference(Snapshot snap, const Maintenance& m, Oid view);

} // namespace autoreport::views
