// Host hooks for interrupts and progress, and the scoped progress reporter built on them.
#include "common/runtime.hpp"

#include "common/pure.hpp"

namespace autoreport {

namespace {
RuntimeHooks g_hooks;
int g_progress_depth = 0; // the backend is single-threaded; so is this counter's use
bool g_external = false;  // a SQL-level operation holds the slot
} // namespace

void ProgressScope::reset_depth() noexcept {
  g_progress_depth = 0;
  g_external = false;
}

void ProgressScope::enter_external() noexcept {
  if (!g_external) {
    g_external = true;
    ++g_progress_depth;
  }
}

void ProgressScope::leave_external() noexcept {
  if (g_external) {
    g_external = false;
    --g_progress_depth;
  }
}

RuntimeHooks install_runtime_hooks(const RuntimeHooks& hooks) noexcept {
  RuntimeHooks previous = g_hooks;
  g_hooks = hooks;
  return previous;
}

const RuntimeHooks& runtime_hooks() noexcept {
  return g_hooks;
}

ProgressScope::ProgressScope(std::string_view operation, std::string_view object, int64_t total)
    : total_(total), outermost_(g_progress_depth == 0) {
  ++g_progress_depth;
  if (outermost_ && g_hooks.progress_begin) {
    try {
      g_hooks.progress_begin(operation, object, total);
    } catch (...) {
      --g_progress_depth;
      throw;
    }
  }
}

ProgressScope::~ProgressScope() {
  --g_progress_depth;
  if (outermost_ && g_hooks.progress_end) {
    g_hooks.progress_end(); // must not throw: the installed hook is noexcept in spirit
  }
}

void ProgressScope::set_total(int64_t total) {
  total_ = total;
  set(done_);
}

void ProgressScope::set(int64_t done) {
  done_ = done;
  if (outermost_ && g_hooks.progress_update) {
    g_hooks.progress_update(done_, total_);
  }
}

} // namespace autoreport
