// The boundary between C++ and PostgreSQL error handling. Every glue file crosses it through here.
//
// PostgreSQL reports errors with ereport(ERROR), which longjmps; C++ unwinds with exceptions. The two
// directions are:
//   * PostgreSQL calls C++: AUTOREPORT_FUNCTION (SQL-callable functions) and enter() (hooks, worker
//     entry points) run the C++ body inside try/catch, let every C++ frame unwind, and only then raise
//     ereport(ERROR). An error that came from PostgreSQL is re-raised exactly as PostgreSQL made it
//     (ReThrowError: every field kept, no context line repeated); a C++ error is raised with the
//     SQLSTATE, message, detail, hint and context it carries.
//   * C++ calls PostgreSQL: guard() runs a call that may ereport(ERROR) under its own sigsetjmp point,
//     restores the memory context, copies and flushes the error, and rethrows it as autoreport::Error
//     (autoreport::Interrupted for a cancel or timeout), so C++ destructors run.
//
// A PostgreSQL error caught by guard() leaves the transaction in a state only a rollback repairs. Let
// it propagate, or run the work inside subtransaction() when C++ must recover and go on. enter()
// enforces this: a body that caught a PostgreSQL error outside a subtransaction and then returned
// normally fails with XX000 instead of carrying on.
#pragma once

#include "common/postgres.hpp"
#include "common/error.hpp"

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace autoreport::pg {

namespace detail {
// Runs fn(arg) with a PostgreSQL error handler; a PostgreSQL error becomes autoreport::Error or
// autoreport::Interrupted. fn must not throw (guard() wraps the caller's lambda so that it cannot).
void run_guarded(void (*fn)(void*) noexcept, void* arg);
// fn returns false when it failed with a C++ exception (which it keeps), so that the subtransaction
// is rolled back then too.
void run_in_subtransaction(bool (*fn)(void*) noexcept, void* arg);
// How many PostgreSQL errors were caught and not yet resolved by a rollback.
int unresolved_errors() noexcept;
} // namespace detail

// Calls f() (a lambda that calls PostgreSQL) and returns its result. Inside f, keep no object with a
// destructor alive: a longjmp would skip it. The result type must be trivially destructible
// (Datum, pointers, numbers, plain structs) for the same reason.
template <typename F> auto guard(F&& f) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  static_assert(std::is_void_v<R> || std::is_trivially_destructible_v<R>,
                "guard() results cross a longjmp and must be trivially destructible");
  struct Frame {
    F* f;
    std::exception_ptr cpp_error;
    std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result;
  } frame{&f, nullptr, {}};
  detail::run_guarded(
      [](void* p) noexcept {
        auto* fr = static_cast<Frame*>(p);
        try {
          if constexpr (std::is_void_v<R>) {
            (*fr->f)();
          } else {
            fr->result.emplace((*fr->f)());
          }
        } catch (...) {
          fr->cpp_error = std::current_exception();
        }
      },
      &frame);
  if (frame.cpp_error) {
    std::rethrow_exception(frame.cpp_error);
  }
  if constexpr (!std::is_void_v<R>) {
    return *frame.result;
  }
}

// Records the exception being handled (call only inside a catch block) for raise_pending().
// It allocates nothing and cannot fail.
void capture_current_exception() noexcept;

// Raises the captured exception as ereport(ERROR). Call only after every C++ frame of the failed
// work has unwound.
[[noreturn]] void raise_pending();

// Raised by enter() when a body swallowed a PostgreSQL error outside a subtransaction.
[[noreturn]] void raise_swallowed_error();

// Runs f() for PostgreSQL (a hook, a callback, a worker's main function). A C++ exception that
// escapes f becomes ereport(ERROR) after f's frames are gone.
template <typename F> auto enter(F&& f) -> std::invoke_result_t<F&> {
  const int unresolved = detail::unresolved_errors();
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      f();
      if (detail::unresolved_errors() > unresolved) {
        raise_swallowed_error();
      }
      return;
    } else {
      auto result = f();
      if (detail::unresolved_errors() > unresolved) {
        raise_swallowed_error();
      }
      return result;
    }
  } catch (...) {
    capture_current_exception();
  }
  raise_pending();
}

// Runs f() inside an internal subtransaction, as a PL/pgSQL EXCEPTION block does. On a PostgreSQL
// or C++ error the subtransaction is rolled back and the error rethrown as a C++ exception; the
// caller may catch autoreport::Error and carry on safely. An Interrupted is rethrown too and must
// not be caught.
template <typename F> void subtransaction(F&& f) {
  struct Frame {
    F* f;
    std::exception_ptr cpp_error;
  } frame{&f, nullptr};
  detail::run_in_subtransaction(
      [](void* p) noexcept -> bool {
        auto* fr = static_cast<Frame*>(p);
        try {
          (*fr->f)();
          return true;
        } catch (...) {
          fr->cpp_error = std::current_exception();
          return false;
        }
      },
      &frame);
  if (frame.cpp_error) {
    std::rethrow_exception(frame.cpp_error);
  }
}

// Raises ereport(ERROR) for feature when autoreport was not loaded by shared_preload_libraries.
void require_preload(const char* feature);
bool preloaded() noexcept;
void set_preloaded(bool value) noexcept;

// Called from _PG_init: registers the transaction callback that resets the boundary's state on abort.
void boundary_init();

} // namespace autoreport::pg

// Defines an SQL-callable function: C linkage, V1 calling convention, exported, and its body run
// through the boundary. In the body read arguments with PG_ARGISNULL, PG_GETARG_DATUM and the
// pass-by-value getters (PG_GETARG_INT32, _INT64, _BOOL, _FLOAT8, _OID) only: the getters that
// detoast (PG_GETARG_TEXT_PP, _ARRAYTYPE_P, _JSONB_P) can ereport, so convert through
// common/convert_pg.hpp instead. Return with PG_RETURN_DATUM/VOID/NULL or a by-value PG_RETURN_*.
//
//   AUTOREPORT_FUNCTION(autoreport_version) { return autoreport::pg::string_to_text("..."); }
#define AUTOREPORT_FUNCTION(name)                                                                            \
  static Datum name##_body(FunctionCallInfo fcinfo);                                                         \
  extern "C" {                                                                                               \
  AUTOREPORT_EXPORT Datum name(PG_FUNCTION_ARGS);                                                            \
  PG_FUNCTION_INFO_V1(name);                                                                                 \
  Datum name(PG_FUNCTION_ARGS) {                                                                             \
    return ::autoreport::pg::enter([fcinfo]() { return name##_body(fcinfo); });                              \
  }                                                                                                          \
  }                                                                                                          \
  static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
