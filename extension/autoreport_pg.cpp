// _PG_init, the composition root: loads each capability in turn, the foundation first. It holds no
// logic of its own; each capability's init() is declared in its own header.
#include "analyze/analyze_pg.hpp"
#include "audit/audit_pg.hpp"
#include "common/common_pg.hpp"
#include "reports/reports_pg.hpp"
#include "schedules/shared_pg.hpp"
#include "views/schedule_pg.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

AUTOREPORT_EXPORT void _PG_init(void);
}

void _PG_init(void) {
  autoreport::pg::enter([] {
    autoreport::common::init();
    autoreport::audit::init();
    autoreport::reports::init();
    autoreport::schedules::shared_init();
    autoreport::views::init_schedules();
    autoreport::analyze::init();
    // Each capability defines its autoreport.* settings above this line.
    MarkGUCPrefixReserved("autoreport");
  });
}
