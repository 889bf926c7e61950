// _PG_init: loads each capability in turn. It holds no logic of its own.
#include "common/boundary_pg.hpp"
#include "common/interrupts_pg.hpp"
#include "common/progress_pg.hpp"
#include "audit/audit_pg.hpp"
#include "reports/cache_pg.hpp"
#include "reports/restricted_pg.hpp"

namespace autoreport::render {
void render_init();
}

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

AUTOREPORT_EXPORT void _PG_init(void);
}

void _PG_init(void) {
  autoreport::pg::enter([] {
    autoreport::pg::set_preloaded(process_shared_preload_libraries_in_progress);
    autoreport::pg::boundary_init();
    autoreport::pg::install_interrupt_hook();
    autoreport::pg::progress_init();
    autoreport::pg::audit_init();
    autoreport::reports::cache::init();
    autoreport::reports::restricted_init();
    autoreport::render::render_init();
    // Each capability defines its autoreport.* settings above this line.
    MarkGUCPrefixReserved("autoreport");
  });
}
