// The C++/PostgreSQL error boundary: guards in both directions and the preload requirement.
#include "common/boundary_pg.hpp"

#include "common/runtime.hpp"

extern "C" {
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "utils/resowner.h"
}

#include <cstring>
#include <new>

namespace autoreport::pg {

namespace {

// The error waiting to be raised once the C++ frames are gone. Static storage: filling it allocates
// nothing, and the backend is single-threaded. Longer texts are cut (on a character boundary when
// raised).
struct PendingError {
  bool rethrow_saved; // re-raise the saved PostgreSQL error as it was
  char sqlstate[6];
  char message[8192];
  char detail[8192];
  char hint[2048];
  char context[4096];
  char internal_query[8192];
  int internal_position;
};
PendingError g_pending;

// The last PostgreSQL error caught by a guard, kept whole so that it can be re-raised unchanged, and
// the token by which C++ exceptions made from it refer to it.
MemoryContext g_saved_error_context = nullptr;
ErrorData* g_saved_error = nullptr;
uint64_t g_saved_token = 0;
uint64_t g_last_token = 0;

// PostgreSQL errors caught and not yet resolved by a rollback (see enter()).
int g_unresolved = 0;

bool g_preloaded = false;

void copy_text(char* dst, size_t size, const char* src) noexcept {
  size_t n = std::strlen(src);
  if (n >= size) {
    n = size - 1;
  }
  std::memcpy(dst, src, n);
  dst[n] = '\0';
}

void set_pending(const char* code, const char* message, const char* detail = "", const char* hint = "",
                 const char* context = "", const char* query = "", int position = 0) noexcept {
  g_pending.rethrow_saved = false;
  copy_text(g_pending.sqlstate, sizeof g_pending.sqlstate, code);
  copy_text(g_pending.message, sizeof g_pending.message, message);
  copy_text(g_pending.detail, sizeof g_pending.detail, detail);
  copy_text(g_pending.hint, sizeof g_pending.hint, hint);
  copy_text(g_pending.context, sizeof g_pending.context, context);
  copy_text(g_pending.internal_query, sizeof g_pending.internal_query, query);
  g_pending.internal_position = position;
}

// Cuts a buffer that copy_text may have cut mid-character back to a whole character.
const char* clipped(char* text) {
  const int len = static_cast<int>(std::strlen(text));
  text[pg_mbcliplen(text, len, len)] = '\0';
  return text;
}

const char* or_empty(const char* s) {
  return s ? s : "";
}

// Copies the current PostgreSQL error into the saved-error context and flushes it. Called in a
// PG_CATCH block, with CurrentMemoryContext restored by the caller afterwards.
ErrorData* save_current_error() {
  MemoryContextReset(g_saved_error_context);
  g_saved_error = nullptr;
  MemoryContextSwitchTo(g_saved_error_context);
  ErrorData* edata = CopyErrorData();
  FlushErrorState();
  return edata;
}

// The C++ exception for a saved PostgreSQL error, keeping everything the user would have seen.
[[noreturn]] void throw_saved(ErrorData* edata, bool resolved = false) {
  g_saved_error = edata;
  g_saved_token = ++g_last_token;
  if (!resolved) {
    ++g_unresolved;
  }
  if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED) {
    throw Interrupted(or_empty(edata->message), g_saved_token);
  }
  Error e(unpack_sql_state(edata->sqlerrcode), or_empty(edata->message));
  if (edata->detail) {
    e.with_detail(edata->detail);
  }
  if (edata->hint) {
    e.with_hint(edata->hint);
  }
  if (edata->context) {
    e.with_context(edata->context);
  }
  if (edata->internalquery) {
    e.with_internal_query(edata->internalquery, edata->internalpos);
  }
  e.with_origin(g_saved_token);
  throw e;
}

// A failed top-level transaction resolves every caught error and ends every progress scope.
void on_transaction_event(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    g_unresolved = 0;
    ProgressScope::reset_depth();
  }
}

bool is_saved(uint64_t token) {
  return token != 0 && token == g_saved_token && g_saved_error != nullptr;
}

} // namespace

namespace detail {

int unresolved_errors() noexcept {
  return g_unresolved;
}

void run_guarded(void (*fn)(void*) noexcept, void* arg) {
  MemoryContext saved = CurrentMemoryContext;
  ErrorData* volatile edata = nullptr;
  PG_TRY();
  { fn(arg); }
  PG_CATCH();
  {
    edata = save_current_error();
    MemoryContextSwitchTo(saved);
  }
  PG_END_TRY();
  if (edata != nullptr) {
    throw_saved(edata);
  }
}

// Modelled on PL/pgSQL's exec_stmt_block: release on success; on failure copy the error, roll back,
// and restore the memory context and resource owner.
void run_in_subtransaction(bool (*fn)(void*) noexcept, void* arg) {
  MemoryContext saved = CurrentMemoryContext;
  ResourceOwner saved_owner = CurrentResourceOwner;
  const int unresolved = g_unresolved;
  guard([] { BeginInternalSubTransaction(nullptr); });
  MemoryContextSwitchTo(saved);
  ErrorData* volatile edata = nullptr;
  volatile bool ok = false;
  PG_TRY();
  {
    ok = fn(arg);
    if (ok) {
      ReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(saved);
      CurrentResourceOwner = saved_owner;
    }
  }
  PG_CATCH();
  {
    edata = save_current_error();
    MemoryContextSwitchTo(saved);
    RollbackAndReleaseCurrentSubTransaction();
    MemoryContextSwitchTo(saved);
    CurrentResourceOwner = saved_owner;
  }
  PG_END_TRY();
  if (edata == nullptr && !ok) {
    // fn failed with a C++ exception that it kept; roll back before the caller rethrows it.
    guard([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(saved);
    CurrentResourceOwner = saved_owner;
  }
  g_unresolved = unresolved; // the rollback resolved whatever was caught inside
  if (edata != nullptr) {
    throw_saved(edata, true);
  }
}

} // namespace detail

void capture_current_exception() noexcept {
  try {
    throw;
  } catch (const Interrupted& e) {
    if (is_saved(e.origin())) {
      g_pending.rethrow_saved = true;
    } else {
      set_pending(sqlstate::query_canceled.data(), e.what());
    }
  } catch (const Error& e) {
    if (is_saved(e.origin())) {
      g_pending.rethrow_saved = true;
    } else {
      set_pending(e.sqlstate().c_str(), e.message().c_str(), e.detail().c_str(), e.hint().c_str(),
                  e.context().c_str(), e.internal_query().c_str(), e.internal_position());
    }
  } catch (const std::bad_alloc&) {
    set_pending(sqlstate::out_of_memory.data(), "out of memory", "A C++ allocation failed.");
  } catch (const std::exception& e) {
    set_pending(sqlstate::internal_error.data(), e.what(),
                "An unexpected C++ exception reached the autoreport boundary.");
  } catch (...) {
    set_pending(sqlstate::internal_error.data(), "unknown C++ exception",
                "An exception of unknown type reached the autoreport boundary.");
  }
}

void raise_pending() {
  if (g_pending.rethrow_saved && g_saved_error != nullptr) {
    g_pending.rethrow_saved = false;
    ReThrowError(g_saved_error);
  }
  PendingError& p = g_pending;
  const int code = MAKE_SQLSTATE(p.sqlstate[0], p.sqlstate[1], p.sqlstate[2], p.sqlstate[3], p.sqlstate[4]);
  ereport(ERROR, (errcode(code), errmsg_internal("%s", clipped(p.message)),
                  p.detail[0] ? errdetail_internal("%s", clipped(p.detail)) : 0,
                  p.hint[0] ? errhint("%s", clipped(p.hint)) : 0,
                  p.context[0] ? errcontext("%s", clipped(p.context)) : 0,
                  p.internal_query[0] ? internalerrquery(clipped(p.internal_query)) : 0,
                  p.internal_position ? internalerrposition(p.internal_position) : 0));
  pg_unreachable();
}

void raise_swallowed_error() {
  const char* what = g_saved_error && g_saved_error->message ? g_saved_error->message : "unknown error";
  ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                  errmsg("autoreport caught a PostgreSQL error and went on without rolling it back"),
                  errdetail("The error was: %s", what),
                  errhint("This is a bug in autoreport: such errors must propagate or be caught inside a "
                          "subtransaction.")));
  pg_unreachable();
}

bool preloaded() noexcept {
  return g_preloaded;
}
void set_preloaded(bool value) noexcept {
  g_preloaded = value;
}

void require_preload(const char* feature) {
  if (!g_preloaded) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                std::string(feature) + " requires autoreport to be loaded at server start")
        .with_detail(
            "autoreport is not listed in shared_preload_libraries, so its shared memory does not exist.")
        .with_hint("Add autoreport to shared_preload_libraries in postgresql.conf and restart the server.");
  }
}

void boundary_init() {
  g_saved_error_context =
      AllocSetContextCreate(TopMemoryContext, "autoreport saved error", ALLOCSET_SMALL_SIZES);
  RegisterXactCallback(on_transaction_event, nullptr);
}

} // namespace autoreport::pg
