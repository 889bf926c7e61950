// The reports capability (reports/): the catalog, report functions, run(), render(), the result cache.
#pragma once

namespace autoreport::reports {

// Called from _PG_init: the cache's settings and hooks, the check of the functions a report's query
// calls, and the render() settings.
void init();

} // namespace autoreport::reports
