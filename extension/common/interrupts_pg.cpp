// The interrupt check that pure C++ loops reach through autoreport::check_interrupts().
#include "common/boundary_pg.hpp"
#include "common/interrupts_pg.hpp"
#include "common/runtime.hpp"

#include <thread>

namespace autoreport::pg {

namespace {
std::thread::id g_backend_thread;

// Processes a pending cancel, timeout or termination request; PostgreSQL's error becomes a C++
// exception (autoreport::Interrupted for a cancel or statement_timeout) so the C++ frames unwind.
// Only the backend's own thread may call PostgreSQL: helper threads of pure code return at once and
// rely on the backend thread's next check.
void check_interrupts_in_backend() {
  if (std::this_thread::get_id() != g_backend_thread) {
    return;
  }
  if (INTERRUPTS_PENDING_CONDITION()) {
    guard([] { CHECK_FOR_INTERRUPTS(); });
  }
}
} // namespace

void install_interrupt_hook() {
  g_backend_thread = std::this_thread::get_id();
  RuntimeHooks hooks = runtime_hooks();
  hooks.check_interrupts = &check_interrupts_in_backend;
  install_runtime_hooks(hooks);
}

} // namespace autoreport::pg
