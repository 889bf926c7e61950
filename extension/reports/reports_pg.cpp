// The reports capability's init.
#include "reports/reports_pg.hpp"
#include "reports/cache_pg.hpp"
#include "reports/restricted_pg.hpp"

namespace autoreport::reports {

void render_init(); // reports/render_pg.cpp: autoreport.render_max_size

void init() {
  cache::init();
  restricted_init();
  render_init();
}

} // namespace autoreport::reports
