// The progress registry: one slot per backend in shared memory, read by the autoreport.progress view.
#pragma once

namespace autoreport::pg {
// Called from _PG_init: chains the shared-memory hooks when preloading, installs the progress hooks
// for pure C++ code (common/runtime.hpp).
void progress_init();
} // namespace autoreport::pg
