// Installs the backend's interrupt check for pure C++ code (see common/runtime.hpp).
#pragma once

namespace autoreport::pg {
void install_interrupt_hook();
} // namespace autoreport::pg
