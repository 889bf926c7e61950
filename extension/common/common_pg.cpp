// The foundation's init: the boundary, interrupts from pure C++ and the progress registry.
#include "common/common_pg.hpp"
#include "common/interrupts_pg.hpp"
#include "common/progress_pg.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace autoreport::common {

void init() {
  pg::set_preloaded(process_shared_preload_libraries_in_progress);
  pg::boundary_init();
  pg::install_interrupt_hook();
  pg::progress_init();
}

} // namespace autoreport::common
