// Memory contexts as C++ scopes: a short-lived child context for per-call scratch, and a switch that
// always switches back.
#pragma once

#include "common/boundary_pg.hpp"

namespace autoreport::pg {

// Makes ctx current for the lifetime of the object.
class MemoryContextSwitch {
public:
  explicit MemoryContextSwitch(MemoryContext ctx) : previous_(MemoryContextSwitchTo(ctx)) {}
  ~MemoryContextSwitch() { MemoryContextSwitchTo(previous_); }
  MemoryContextSwitch(const MemoryContextSwitch&) = delete;
  MemoryContextSwitch& operator=(const MemoryContextSwitch&) = delete;

private:
  MemoryContext previous_;
};

// A child of the current memory context, deleted with the scope. reset() frees everything allocated
// in it so far, which is how a loop keeps per-iteration scratch from piling up. Create it outside an
// SpiConnection's lifetime, or within one only for scratch that dies before the connection.
class ScopedMemoryContext {
public:
  // The name must outlive the context, as PostgreSQL keeps the pointer: pass a string literal.
  template <size_t N> explicit ScopedMemoryContext(const char (&name)[N]) : context_(create(name)) {}
  ~ScopedMemoryContext();
  ScopedMemoryContext(const ScopedMemoryContext&) = delete;
  ScopedMemoryContext& operator=(const ScopedMemoryContext&) = delete;

  MemoryContext get() const noexcept { return context_; }
  void reset() noexcept;

private:
  static MemoryContext create(const char* name);
  MemoryContext context_;
};

} // namespace autoreport::pg
