// Query analysis: hypothetical indexes (what_if, estimate_index_size).
#pragma once

#include "common/postgres.hpp"

extern "C" {
#include "nodes/params.h"
#include "nodes/parsenodes.h"
}

namespace autoreport::analyze {

// Installs the planner hooks that show hypothetical indexes to what_if()'s own planning, and to
// nothing else. Called from _PG_init.
void init();

// Slow-query capture's settings, shared memory and executor hooks (capture_pg.cpp; called by init()).
void init_capture();

// These raise PostgreSQL errors (call them inside pg::guard).

// The one statement of `query`, refused unless SELECT, INSERT, UPDATE, DELETE or MERGE (`function`
// names the caller in the error).
RawStmt* one_statement(const char* query, const char* function);

// The plans of `query` with parameters of `types` (values `bound`, or NULL for a generic plan),
// checked against the caller's privileges as EXPLAIN checks them.
List* plan_query(const char* query, const Oid* types, int ntypes, ParamListInfo bound);

// The total cost of plans.
double total_cost(List* plans);

// The cost of `query` planned with CREATE INDEX statement `index` made hypothetical; *used says whether
// the plan uses it.
double cost_with_index(const char* query, const Oid* types, int ntypes, ParamListInfo bound,
                       const char* index, bool* used);

} // namespace autoreport::analyze
