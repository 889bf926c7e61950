// Scoped memory contexts.
#include "common/memory_pg.hpp"

namespace autoreport::pg {

MemoryContext ScopedMemoryContext::create(const char* name) {
  return guard(
      [name] { return AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES); });
}

ScopedMemoryContext::~ScopedMemoryContext() {
  if (CurrentMemoryContext == context_) {
    // Never leave CurrentMemoryContext pointing at freed memory.
    MemoryContextSwitchTo(context_->parent);
  }
  MemoryContextDelete(context_);
}

void ScopedMemoryContext::reset() noexcept {
  MemoryContextReset(context_);
}

} // namespace autoreport::pg
