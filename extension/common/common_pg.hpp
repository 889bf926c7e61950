// The foundation capability (common/): what every other capability builds on.
#pragma once

#include "common/boundary_pg.hpp"

namespace autoreport::common {

// Called first from _PG_init: the boundary's hooks, interrupt checks from pure C++ and, when
// preloading, the progress registry's shared memory.
void init();

} // namespace autoreport::common
