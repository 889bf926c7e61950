// The C++/PostgreSQL error boundary: guards in both directions and the preload requirement.
#include "common/boundary_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

#include <cstring>
#include <new>

namespace autoreport::pg {

namespace {

// The error waiting to be raised once the C++ frames are gone. Static storage: filling it allocates
// nothing, and the backend is single-threaded. Longer texts are cut.
struct PendingError {
  char sqlstate[6];
  char message[8192];
  char detail[8192];
  char hint[2048];
  char context[4096];
  char internal_query[8192];
  int internal_position;
};
PendingError g_pending;

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
  copy_text(g_pending.sqlstate, sizeof g_pending.sqlstate, code);
  copy_text(g_pending.message, sizeof g_pending.message, message);
  copy_text(g_pending.detail, sizeof g_pending.detail, detail);
  copy_text(g_pending.hint, sizeof g_pending.hint, hint);
  copy_text(g_pending.context, sizeof g_pending.context, context);
  copy_text(g_pending.internal_query, sizeof g_pending.internal_query, query);
  g_pending.internal_position = position;
}

const char* or_empty(const char* s) {
  return s ? s : "";
}

// Builds the C++ exception for a PostgreSQL error, keeping everything the user would have seen.
Error error_from_edata(const ErrorData* edata) {
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
  return e;
}

} // namespace

void run_guarded(void (*fn)(void*), void* arg) {
  MemoryContext saved = CurrentMemoryContext;
  ErrorData* volatile edata = nullptr;
  PG_TRY();
  { fn(arg); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(saved);
    edata = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (edata != nullptr) {
    Error e = error_from_edata(edata);
    FreeErrorData(edata);
    throw e;
  }
}

void run_in_subtransaction(bool (*fn)(void*), void* arg) {
  MemoryContext saved = CurrentMemoryContext;
  ResourceOwner saved_owner = CurrentResourceOwner;
  ErrorData* volatile edata = nullptr;
  guard([] { BeginInternalSubTransaction(nullptr); });
  MemoryContextSwitchTo(saved);
  PG_TRY();
  {
    const bool ok = fn(arg);
    if (ok) {
      ReleaseCurrentSubTransaction();
    } else {
      RollbackAndReleaseCurrentSubTransaction();
    }
    MemoryContextSwitchTo(saved);
    CurrentResourceOwner = saved_owner;
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(saved);
    edata = CopyErrorData();
    FlushErrorState();
    RollbackAndReleaseCurrentSubTransaction();
    MemoryContextSwitchTo(saved);
    CurrentResourceOwner = saved_owner;
  }
  PG_END_TRY();
  if (edata != nullptr) {
    Error e = error_from_edata(edata);
    FreeErrorData(edata);
    throw e;
  }
}

void capture_current_exception() noexcept {
  try {
    throw;
  } catch (const Error& e) {
    set_pending(e.sqlstate().c_str(), e.message().c_str(), e.detail().c_str(), e.hint().c_str(),
                e.context().c_str(), e.internal_query().c_str(), e.internal_position());
  } catch (const std::bad_alloc&) {
    set_pending("53200", "out of memory", "A C++ allocation failed.");
  } catch (const std::exception& e) {
    set_pending("XX000", e.what(), "An unexpected C++ exception reached the autoreport boundary.");
  } catch (...) {
    set_pending("XX000", "unknown C++ exception",
                "An exception of unknown type reached the autoreport boundary.");
  }
}

void raise_pending() {
  const PendingError& p = g_pending;
  const int code = MAKE_SQLSTATE(p.sqlstate[0], p.sqlstate[1], p.sqlstate[2], p.sqlstate[3], p.sqlstate[4]);
  ereport(ERROR, (errcode(code), errmsg_internal("%s", p.message),
                  p.detail[0] ? errdetail_internal("%s", p.detail) : 0, p.hint[0] ? errhint("%s", p.hint) : 0,
                  p.context[0] ? errcontext("%s", p.context) : 0,
                  p.internal_query[0] ? internalerrquery(p.internal_query) : 0,
                  p.internal_position ? internalerrposition(p.internal_position) : 0));
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

} // namespace autoreport::pg
