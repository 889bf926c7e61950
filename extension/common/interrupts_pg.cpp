// The interrupt check that pure C++ loops reach through autoreport::check_interrupts().
#include "common/boundary_pg.hpp"
#include "common/interrupts_pg.hpp"
#include "common/runtime.hpp"

namespace autoreport::pg {

namespace {
// Processes a pending cancel, timeout or termination request; PostgreSQL's error becomes a C++
// exception (SQLSTATE 57014 for a cancel or statement_timeout) so the C++ frames unwind.
void check_interrupts_in_backend() {
  if (INTERRUPTS_PENDING_CONDITION()) {
    guard([] { CHECK_FOR_INTERRUPTS(); });
  }
}
} // namespace

void install_interrupt_hook() {
  RuntimeHooks hooks = runtime_hooks();
  hooks.check_interrupts = &check_interrupts_in_backend;
  install_runtime_hooks(hooks);
}

} // namespace autoreport::pg
