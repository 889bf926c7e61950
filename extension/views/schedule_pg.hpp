// Managed views that refresh themselves on a schedule (schedule_pg.cpp).
#pragma once

namespace autoreport::views {

// Called from _PG_init when preloading: each database's scheduler then refreshes its scheduled views.
void init_schedules();

} // namespace autoreport::views
