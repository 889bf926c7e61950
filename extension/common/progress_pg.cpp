// The progress registry in shared memory and its SQL functions.
//
// PostgreSQL's pg_stat_progress_* views serve only built-in commands, so autoreport keeps its own: one
// slot per backend, written only by its owner under a per-slot spinlock, read by anyone.
#include "common/progress_pg.hpp"
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/runtime.hpp"
#include "common/shmem_pg.hpp"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "catalog/pg_authid.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <climits>
#include <array>
#include <cstring>
#include <string>

namespace autoreport::pg {

namespace {

constexpr size_t kOperationLen = 64;
constexpr size_t kObjectLen = 256;

struct ProgressSlot {
  slock_t mutex;
  int pid; // 0 when the slot is free
  Oid database;
  Oid role;
  char operation[kOperationLen];
  char object[kObjectLen];
  int64 done;
  int64 total; // -1 when unknown
  TimestampTz started_at;
  TimestampTz updated_at;
};

struct ProgressRegistry {
  int slots;
  ProgressSlot slot[FLEXIBLE_ARRAY_MEMBER];
};

ProgressRegistry* g_registry = nullptr;
bool g_cleanup_registered = false;

Size registry_size() {
  return add_size(offsetof(ProgressRegistry, slot), mul_size(MaxBackends, sizeof(ProgressSlot)));
}

void progress_shmem_request() {
  RequestAddinShmemSpace(registry_size());
}

void progress_shmem_startup() {
  bool found = false;
  g_registry =
      static_cast<ProgressRegistry*>(ShmemInitStruct("autoreport progress", registry_size(), &found));
  if (!found) {
    g_registry->slots = MaxBackends;
    for (int i = 0; i < MaxBackends; ++i) {
      ProgressSlot* s = &g_registry->slot[i];
      std::memset(s, 0, sizeof *s);
      SpinLockInit(&s->mutex);
    }
  }
}

// This backend's slot, or null where there is none (no registry, or an auxiliary process).
ProgressSlot* my_slot() {
  if (g_registry == nullptr || MyBackendId == InvalidBackendId || MyBackendId > g_registry->slots) {
    return nullptr;
  }
  return &g_registry->slot[MyBackendId - 1];
}

// The byte length of src cut to fit size - 1 bytes at a character boundary of the server encoding.
// Computed before taking the spinlock (pg_mbcliplen may not run under one).
size_t fitting_length(std::string_view src, size_t size) {
  const int len = static_cast<int>(std::min(src.size(), static_cast<size_t>(INT_MAX)));
  return guard(
      [&] { return static_cast<size_t>(pg_mbcliplen(src.data(), len, static_cast<int>(size - 1))); });
}

void copy_bounded(char* dst, std::string_view src, size_t n) {
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

void clear_my_slot() {
  if (ProgressSlot* s = my_slot()) {
    SpinLockAcquire(&s->mutex);
    s->pid = 0;
    SpinLockRelease(&s->mutex);
  }
}

void on_backend_exit(int, Datum) {
  clear_my_slot();
}

// A failed transaction leaves no operation behind in the view.
void on_transaction_event(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    clear_my_slot();
  }
}

void begin(std::string_view operation, std::string_view object, int64_t total) {
  ProgressSlot* s = my_slot();
  // A parallel worker's share of an operation is its leader's to report.
  if (s == nullptr || IsParallelWorker()) {
    return;
  }
  if (!g_cleanup_registered) {
    guard([] {
      before_shmem_exit(on_backend_exit, 0);
      RegisterXactCallback(on_transaction_event, nullptr);
    });
    g_cleanup_registered = true;
  }
  const TimestampTz now = GetCurrentTimestamp();
  const size_t op_len = fitting_length(operation, sizeof s->operation);
  const size_t object_len = fitting_length(object, sizeof s->object);
  SpinLockAcquire(&s->mutex);
  s->pid = MyProcPid;
  s->database = MyDatabaseId;
  s->role = GetUserId();
  copy_bounded(s->operation, operation, op_len);
  copy_bounded(s->object, object, object_len);
  s->done = 0;
  s->total = total < 0 ? -1 : total;
  s->started_at = now;
  s->updated_at = now;
  SpinLockRelease(&s->mutex);
}

void update(int64_t done, int64_t total) {
  ProgressSlot* s = my_slot();
  if (s == nullptr || IsParallelWorker()) {
    return;
  }
  const TimestampTz now = GetCurrentTimestamp();
  SpinLockAcquire(&s->mutex);
  s->done = done;
  s->total = total < 0 ? -1 : total;
  s->updated_at = now;
  SpinLockRelease(&s->mutex);
}

void end() {
  if (!IsParallelWorker()) {
    clear_my_slot();
  }
}

// The registry, or the error that says why there is none.
ProgressRegistry* registry(const char* feature) {
  require_preload(feature);
  if (g_registry == nullptr) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the autoreport progress registry is not initialised")
        .with_detail("Another library in shared_preload_libraries may not chain shmem_startup_hook.");
  }
  return g_registry;
}

// Rows of other roles are shown only to members of that role or of pg_read_all_stats, as
// pg_stat_activity does.
bool may_see(Oid role) {
  return has_privs_of_role(GetUserId(), role) || has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
}

} // namespace

void progress_init() {
  RuntimeHooks hooks = runtime_hooks();
  hooks.progress_begin = &begin;
  hooks.progress_update = &update;
  hooks.progress_end = &end;
  install_runtime_hooks(hooks);
  register_shared_memory(progress_shmem_request, progress_shmem_startup);
}

} // namespace autoreport::pg

using namespace autoreport;
using namespace autoreport::pg;

// autoreport.progress_rows(): one row per backend that is running a long autoreport operation.
AUTOREPORT_FUNCTION(autoreport_progress_rows) {
  ProgressRegistry* reg = registry("autoreport.progress");
  TupleSink sink(fcinfo);
  for (int i = 0; i < reg->slots; ++i) {
    ProgressSlot copy;
    ProgressSlot* s = &reg->slot[i];
    SpinLockAcquire(&s->mutex);
    std::memcpy(&copy, s, sizeof copy);
    SpinLockRelease(&s->mutex);
    if (copy.pid == 0 || !guard([&] { return may_see(copy.role); })) {
      continue;
    }
    std::array<Datum, 9> values = {
        Int32GetDatum(copy.pid),
        ObjectIdGetDatum(copy.database),
        ObjectIdGetDatum(copy.role),
        string_to_text(copy.operation),
        string_to_text(copy.object),
        Int64GetDatum(copy.done),
        Int64GetDatum(copy.total),
        TimestampTzGetDatum(copy.started_at),
        TimestampTzGetDatum(copy.updated_at),
    };
    std::array<bool, 9> nulls{};
    nulls[6] = copy.total < 0;
    sink.put(values, nulls);
  }
  return Datum(0);
}

// autoreport.progress_begin(operation, object, total): lets SQL and PL/pgSQL jobs report progress.
AUTOREPORT_FUNCTION(autoreport_progress_begin) {
  registry("autoreport.progress_begin()");
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
    throw Error(sqlstate::invalid_parameter_value, "operation and object must not be null");
  }
  const std::string operation = text_to_string(PG_GETARG_DATUM(0));
  if (operation.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "operation must not be empty");
  }
  const int64 total = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT64(2);
  if (!PG_ARGISNULL(2) && total < 0) {
    throw Error(sqlstate::invalid_parameter_value, "total must not be negative")
        .with_detail("total was " + std::to_string(total) + ".")
        .with_hint("Pass NULL when the total is unknown.");
  }
  begin(operation, text_to_string(PG_GETARG_DATUM(1)), total);
  ProgressScope::enter_external();
  PG_RETURN_VOID();
}

// autoreport.progress_update(done, total): moves this backend's current operation forward.
AUTOREPORT_FUNCTION(autoreport_progress_update) {
  registry("autoreport.progress_update()");
  ProgressSlot* s = my_slot();
  if (s == nullptr || s->pid == 0) {
    throw Error(sqlstate::object_not_in_prerequisite_state, "no progress is being reported by this session")
        .with_hint("Call autoreport.progress_begin() first.");
  }
  if (PG_ARGISNULL(0) || PG_GETARG_INT64(0) < 0) {
    throw Error(sqlstate::invalid_parameter_value, "done must be a non-negative number");
  }
  int64 total = s->total;
  if (!PG_ARGISNULL(1)) {
    total = PG_GETARG_INT64(1);
    if (total < 0) {
      throw Error(sqlstate::invalid_parameter_value, "total must not be negative");
    }
  }
  update(PG_GETARG_INT64(0), total);
  PG_RETURN_VOID();
}

// autoreport.progress_end(): removes this backend's row from autoreport.progress.
AUTOREPORT_FUNCTION(autoreport_progress_end) {
  registry("autoreport.progress_end()");
  end();
  ProgressScope::leave_external();
  PG_RETURN_VOID();
}
