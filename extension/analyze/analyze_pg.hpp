// Query analysis: hypothetical indexes (what_if, estimate_index_size).
#pragma once

namespace autoreport::analyze {

// Installs the planner hooks that show hypothetical indexes to what_if()'s own planning, and to
// nothing else. Called from _PG_init.
void init();

} // namespace autoreport::analyze
