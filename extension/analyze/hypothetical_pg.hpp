// Hypothetical indexes, for the callers in analyze/ that plan with them (what_if, explain, advise).
#pragma once

#include "common/postgres.hpp"

extern "C" {
#include "nodes/params.h"
#include "nodes/pg_list.h"
}

#include <cstdint>

namespace autoreport::analyze {

// One CREATE INDEX statement, parsed and checked, held in the memory of the call that parsed it.
struct Hypothetical;

// These raise PostgreSQL errors (call them inside pg::guard).

// Parses and checks CREATE INDEX statement `text` (element `position` of the caller's array, or 0) as
// PostgreSQL checks it before building an index. `taken`: the hypothetical indexes already parsed in
// this call (their OIDs and names are not reused).
Hypothetical* parse_hypothetical(const char* text, int position, List* taken);

// The name EXPLAIN shows for it.
const char* hypothetical_name(const Hypothetical* h);

// The plans of `query` with `indexes` (a List of Hypothetical*) visible to this planning only;
// used[i] (one per index, set to true only) says whether a plan scans indexes[i].
List* plan_with(const char* query, const Oid* types, int ntypes, ParamListInfo bound, List* indexes,
                bool* used);

// The plans as EXPLAIN (FORMAT JSON) prints them, the hypothetical `indexes` named. analyze: run them
// (with timing and buffers; the caller makes sure they only read); verbose: output columns and
// qualified names.
char* explain_json(List* plans, const char* query, ParamListInfo bound, bool verbose, bool analyze,
                   List* indexes);

// The distinct values the statistics expect in a column (0 when there are none).
double distinct_values(Oid relid, AttrNumber column);

// The bytes CREATE INDEX would write for h on the table as it is now (samples the table through SPI
// when the statistics cannot tell). C++: call it outside pg::guard.
int64_t estimate_bytes(Hypothetical* h);

} // namespace autoreport::analyze
