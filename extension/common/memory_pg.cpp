// Scoped memory contexts.
#include "common/memory_pg.hpp"

namespace autoreport::pg {

namespace {
// True when ctx is `ancestor` or one of its descendants.
bool within(MemoryContext ctx, MemoryContext ancestor) {
  for (MemoryContext c = ctx; c != nullptr; c = c->parent) {
    if (c == ancestor) {
      return true;
    }
  }
  return false;
}
} // namespace

MemoryContext ScopedMemoryContext::create(const char* name) {
  return guard(
      [name] { return AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES); });
}

ScopedMemoryContext::~ScopedMemoryContext() {
  if (within(CurrentMemoryContext, context_)) {
    // Never leave CurrentMemoryContext pointing at freed memory.
    MemoryContextSwitchTo(context_->parent);
  }
  MemoryContextDelete(context_);
}

void ScopedMemoryContext::reset() noexcept {
  if (within(CurrentMemoryContext, context_) && CurrentMemoryContext != context_) {
    MemoryContextSwitchTo(context_); // its children go with the reset
  }
  MemoryContextReset(context_);
}

} // namespace autoreport::pg
