// Slow-query capture: each statement that runs longer than autoreport.capture_min_duration is counted
// in shared memory under its query id (the core's, compute_query_id), with its text normalised (the
// constants replaced by $n) and the constants and parameters of its slowest call kept as a sample.
//
// The executor hooks are chained as pg_stat_statements chains them. Below the threshold the only
// work is the executor's own timer (queryDesc->totaltime, which pg_stat_statements and auto_explain
// also use). Capture never fails a user's query: what may raise an error (normalising the text,
// printing parameters) runs before the shared memory is touched, in a memory context of its own,
// under PG_TRY; the error is logged and counted, and the query goes on. That code holds no lock,
// buffer, file or snapshot, so flushing its error leaves nothing behind. The shared part only copies
// bytes under an LWLock and uses HASH_ENTER_NULL, which cannot fail.
//
// The table has a fixed capacity (autoreport.capture_max); when it is full the entry with the least
// total time is evicted.
#include "common/postgres.hpp"

extern "C" {
#include "access/parallel.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/queryjumble.h"
#include "utils/timestamp.h"
}

#include "analyze/analyze_pg.hpp"
#include "analyze/sql_text.hpp"
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/shmem_pg.hpp"
#include "reports/catalog_pg.hpp"

#include <array>
#include <climits>
#include <cstring>

namespace autoreport::analyze {

namespace {

constexpr int kTextBytes = 4096;   // the normalised text kept (longer texts are cut and marked)
constexpr int kParamsBytes = 2048; // the sample of constants and parameters
constexpr int kValueBytes = 256;   // one value of the sample (a longer one is not kept)
constexpr int kMaxValues = 100;
constexpr const char* kTranche = "autoreport capture";

int g_min_duration_ms = 1000;
int g_max_entries = 1000;
bool g_capture_nested = true;

struct CaptureKey {
  Oid user;
  Oid database;
  uint64 query_id;
  bool toplevel;
};

struct CaptureEntry {
  CaptureKey key; // first: the hash key
  int64 calls;
  double total_ms;
  double max_ms;
  int64 rows;
  TimestampTz first_seen;
  TimestampTz last_seen;
  double sample_ms; // the call the sample comes from: the slowest
  bool text_cut;
  bool sample_complete; // every $n of the text has a value in the sample
  int nvalues;
  char text[kTextBytes];
  char values[kParamsBytes]; // nvalues NUL-terminated SQL literals; "" stands for a value not kept
};

struct CaptureShared {
  LWLock* lock;
  TimestampTz since;
  pg_atomic_uint64 captured;
  pg_atomic_uint64 evictions;
  pg_atomic_uint64 errors;
};

CaptureShared* g_shared = nullptr;
HTAB* g_table = nullptr;
int g_nesting = 0;

ExecutorStart_hook_type g_prev_start = nullptr;
ExecutorRun_hook_type g_prev_run = nullptr;
ExecutorFinish_hook_type g_prev_finish = nullptr;
ExecutorEnd_hook_type g_prev_end = nullptr;

Size shared_size() {
  return add_size(MAXALIGN(sizeof(CaptureShared)),
                  hash_estimate_size(static_cast<long>(g_max_entries), sizeof(CaptureEntry)));
}

void capture_shmem_request() {
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTranche, 1);
}

void capture_shmem_startup() {
  bool found = false;
  g_shared =
      static_cast<CaptureShared*>(ShmemInitStruct("autoreport capture", sizeof(CaptureShared), &found));
  if (!found) {
    g_shared->lock = &GetNamedLWLockTranche(kTranche)->lock;
    g_shared->since = GetCurrentTimestamp();
    pg_atomic_init_u64(&g_shared->captured, 0);
    pg_atomic_init_u64(&g_shared->evictions, 0);
    pg_atomic_init_u64(&g_shared->errors, 0);
  }
  HASHCTL info;
  std::memset(&info, 0, sizeof info);
  info.keysize = sizeof(CaptureKey);
  info.entrysize = sizeof(CaptureEntry);
  g_table = ShmemInitHash("autoreport captured queries", g_max_entries, g_max_entries, &info,
                          HASH_ELEM | HASH_BLOBS);
}

bool capturing() {
  return g_min_duration_ms >= 0 && g_table != nullptr && (g_nesting == 0 || g_capture_nested) &&
         !IsParallelWorker();
}

// What one slow call adds to the table, prepared before the lock is taken.
struct Call {
  CaptureKey key;
  double ms;
  int64 rows;
  bool text_cut;
  bool sample_complete;
  int nvalues;
  int values_bytes;
  char text[kTextBytes];
  char values[kParamsBytes];
};

// The constants of a call's text as written, NUL-terminated one after another ("" for one too long).
struct Literals {
  int count;
  int bytes;
  char data[kParamsBytes];
};

// Normalises text into call->text and its constants into literals (the values $first, ...). Pure
// C++: nothing here raises a PostgreSQL error, and no C++ object outlives it. False when it could not
// (memory).
bool normalise_into(const char* text, int length, Call* call, Literals* literals, int* first) noexcept {
  try {
    const Normalised n =
        normalise(std::string_view(text, static_cast<size_t>(length)), standard_conforming_strings);
    *first = n.first;
    const size_t keep = std::min(n.text.size(), static_cast<size_t>(kTextBytes - 1));
    std::memcpy(call->text, n.text.data(), keep);
    call->text[keep] = '\0';
    call->text_cut = keep < n.text.size();
    for (const std::string& value : n.constants) {
      const bool fits = value.size() <= static_cast<size_t>(kValueBytes) &&
                        literals->bytes + static_cast<int>(value.size()) + 1 <= kParamsBytes;
      if (!fits) {
        call->sample_complete = false;
      }
      if (literals->bytes + 1 > kParamsBytes) {
        break;
      }
      const size_t length_kept = fits ? value.size() : 0;
      std::memcpy(literals->data + literals->bytes, value.data(), length_kept);
      literals->data[literals->bytes + static_cast<int>(length_kept)] = '\0';
      literals->bytes += static_cast<int>(length_kept) + 1;
      literals->count++;
    }
    return true;
  } catch (...) {
    return false;
  }
}

// Appends value as the sample's next value ("" when it is not kept).
void append_value(Call* call, const char* value) {
  const int length = value == nullptr ? 0 : static_cast<int>(std::strlen(value));
  if (value == nullptr || length > kValueBytes || call->values_bytes + length + 1 > kParamsBytes) {
    call->sample_complete = false;
    if (call->values_bytes + 1 > kParamsBytes) {
      return;
    }
    call->values[call->values_bytes++] = '\0';
    call->nvalues++;
    return;
  }
  std::memcpy(call->values + call->values_bytes, value, static_cast<size_t>(length) + 1);
  call->values_bytes += length + 1;
  call->nvalues++;
}

// A bound parameter as a SQL literal with its type ('1995-03-15'::date), or nullptr when it is not
// kept: types other than the built-in ones (whose output functions run no user code) and values
// stored out of line.
const char* bound_literal(ParamListInfo params, int number) {
  if (params == nullptr || number > params->numParams) {
    return nullptr;
  }
  ParamExternData workspace;
  const ParamExternData* prm = params->paramFetch != nullptr
                                   ? params->paramFetch(params, number, true, &workspace)
                                   : &params->params[number - 1];
  if (prm == nullptr || !OidIsValid(prm->ptype)) {
    return nullptr;
  }
  if (prm->isnull) {
    return psprintf("NULL::%s", format_type_be(prm->ptype));
  }
  if (prm->ptype >= FirstGenbkiObjectId) {
    return nullptr;
  }
  Oid output = InvalidOid;
  bool varlena = false;
  getTypeOutputInfo(prm->ptype, &output, &varlena);
  if (varlena && VARATT_IS_EXTENDED(DatumGetPointer(prm->value))) {
    return nullptr;
  }
  const char* text = OidOutputFunctionCall(output, prm->value);
  if (std::strlen(text) > kValueBytes) {
    return nullptr;
  }
  return psprintf("%s::%s", quote_literal_cstr(text), format_type_be(prm->ptype));
}

// Fills call from the query; may raise PostgreSQL errors (run under PG_TRY).
bool prepare_call(QueryDesc* qd, double ms, Call* call) {
  const char* source = qd->sourceText;
  if (source == nullptr) {
    return false;
  }
  int location = qd->plannedstmt->stmt_location;
  int length = qd->plannedstmt->stmt_len;
  const int total = static_cast<int>(std::strlen(source));
  if (location < 0 || location > total) {
    location = 0;
    length = total;
  } else if (length <= 0 || location + length > total) {
    length = total - location;
  }
  while (length > 0 && scanner_isspace(source[location])) {
    location++;
    length--;
  }
  while (length > 0 &&
         (scanner_isspace(source[location + length - 1]) || source[location + length - 1] == ';')) {
    length--;
  }
  if (length == 0) {
    return false;
  }
  // The sample: the bound parameters $1..$first-1, then the constants' literals.
  auto* literals = static_cast<Literals*>(palloc0(sizeof(Literals)));
  int first = 1;
  if (!normalise_into(source + location, length, call, literals, &first)) {
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory normalising a captured query")));
  }
  if (call->text_cut) {
    // Cut on a character boundary.
    const int keep = pg_mbcliplen(call->text, static_cast<int>(std::strlen(call->text)), kTextBytes - 1);
    call->text[keep] = '\0';
  }
  for (int n = 1; n < first && call->nvalues < kMaxValues; ++n) {
    append_value(call, bound_literal(qd->params, n));
  }
  const char* literal = literals->data;
  for (int i = 0; i < literals->count && call->nvalues < kMaxValues; ++i) {
    append_value(call, *literal != '\0' ? literal : nullptr);
    literal += std::strlen(literal) + 1;
  }
  if (first - 1 + literals->count > kMaxValues) {
    call->sample_complete = false;
  }
  call->key.user = GetUserId();
  call->key.database = MyDatabaseId;
  call->key.query_id = qd->plannedstmt->queryId != 0
                           ? qd->plannedstmt->queryId
                           : hash_bytes_extended(reinterpret_cast<const unsigned char*>(call->text),
                                                 static_cast<int>(std::strlen(call->text)), 0);
  call->key.toplevel = g_nesting == 0;
  call->ms = ms;
  call->rows = static_cast<int64>(qd->estate != nullptr ? qd->estate->es_processed : 0);
  return true;
}

// The entry with the least total time goes (the lock is held exclusively).
void evict_least_costly() {
  HASH_SEQ_STATUS scan;
  hash_seq_init(&scan, g_table);
  CaptureEntry* least = nullptr;
  while (auto* e = static_cast<CaptureEntry*>(hash_seq_search(&scan))) {
    if (least == nullptr || e->total_ms < least->total_ms) {
      least = e;
    }
  }
  if (least != nullptr) {
    const CaptureKey key = least->key;
    hash_search(g_table, &key, HASH_REMOVE, nullptr);
    pg_atomic_fetch_add_u64(&g_shared->evictions, 1);
  }
}

// Adds the call under the lock; nothing here can raise an error.
void store_call(const Call& call) {
  LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
  bool found = false;
  auto* e = static_cast<CaptureEntry*>(hash_search(g_table, &call.key, HASH_FIND, nullptr));
  if (e == nullptr) {
    if (hash_get_num_entries(g_table) >= g_max_entries) {
      evict_least_costly();
    }
    e = static_cast<CaptureEntry*>(hash_search(g_table, &call.key, HASH_ENTER_NULL, &found));
    if (e == nullptr) {
      LWLockRelease(g_shared->lock);
      pg_atomic_fetch_add_u64(&g_shared->errors, 1);
      return;
    }
    const CaptureKey key = e->key;
    std::memset(e, 0, sizeof *e);
    e->key = key;
    e->first_seen = GetCurrentTimestamp();
    std::memcpy(e->text, call.text, sizeof e->text);
    e->text_cut = call.text_cut;
  }
  e->calls++;
  e->total_ms += call.ms;
  e->max_ms = std::max(e->max_ms, call.ms);
  e->rows += call.rows;
  e->last_seen = GetCurrentTimestamp();
  if (call.ms >= e->sample_ms) {
    e->sample_ms = call.ms;
    e->nvalues = call.nvalues;
    e->sample_complete = call.sample_complete;
    std::memcpy(e->values, call.values, static_cast<size_t>(call.values_bytes));
  }
  LWLockRelease(g_shared->lock);
  pg_atomic_fetch_add_u64(&g_shared->captured, 1);
}

void record(QueryDesc* qd, double ms) {
  MemoryContext scratch =
      AllocSetContextCreate(CurrentMemoryContext, "autoreport capture", ALLOCSET_SMALL_SIZES);
  MemoryContext caller = MemoryContextSwitchTo(scratch);
  auto* call = static_cast<Call*>(palloc0(sizeof(Call)));
  call->sample_complete = true;
  bool ready = false;
  PG_TRY();
  { ready = prepare_call(qd, ms, call); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(scratch);
    ErrorData* error = CopyErrorData();
    FlushErrorState();
    pg_atomic_fetch_add_u64(&g_shared->errors, 1);
    ereport(LOG, (errmsg("autoreport could not capture a slow query: %s", error->message)));
    ready = false;
  }
  PG_END_TRY();
  if (ready) {
    store_call(*call);
  }
  MemoryContextSwitchTo(caller);
  MemoryContextDelete(scratch);
}

void capture_start(QueryDesc* qd, int eflags) {
  if (g_prev_start != nullptr) {
    g_prev_start(qd, eflags);
  } else {
    standard_ExecutorStart(qd, eflags);
  }
  if (capturing() && qd->totaltime == nullptr && (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0) {
    MemoryContext old = MemoryContextSwitchTo(qd->estate->es_query_cxt);
    qd->totaltime = InstrAlloc(1, INSTRUMENT_TIMER, false);
    MemoryContextSwitchTo(old);
  }
}

void capture_run(QueryDesc* qd, ScanDirection direction, uint64 count, bool execute_once) {
  g_nesting++;
  PG_TRY();
  {
    if (g_prev_run != nullptr) {
      g_prev_run(qd, direction, count, execute_once);
    } else {
      standard_ExecutorRun(qd, direction, count, execute_once);
    }
  }
  PG_FINALLY();
  { g_nesting--; }
  PG_END_TRY();
}

void capture_finish(QueryDesc* qd) {
  g_nesting++;
  PG_TRY();
  {
    if (g_prev_finish != nullptr) {
      g_prev_finish(qd);
    } else {
      standard_ExecutorFinish(qd);
    }
  }
  PG_FINALLY();
  { g_nesting--; }
  PG_END_TRY();
}

void capture_end(QueryDesc* qd) {
  if (qd->totaltime != nullptr && capturing() && (qd->estate->es_top_eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0) {
    InstrEndLoop(qd->totaltime);
    const double ms = qd->totaltime->total * 1000.0;
    if (ms >= g_min_duration_ms) {
      record(qd, ms);
    }
  }
  if (g_prev_end != nullptr) {
    g_prev_end(qd);
  } else {
    standard_ExecutorEnd(qd);
  }
}

void require_shared() {
  if (g_table == nullptr) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "slow-query capture needs autoreport in shared_preload_libraries")
        .with_hint("Add autoreport to shared_preload_libraries and restart the server.");
  }
}

} // namespace

void init_capture() {
  pg::guard([] {
    DefineCustomIntVariable("autoreport.capture_min_duration",
                            "Statements running at least this long are captured (-1 turns capture off).",
                            nullptr, &g_min_duration_ms, 1000, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, nullptr,
                            nullptr, nullptr);
    DefineCustomBoolVariable(
        "autoreport.capture_nested",
        "Capture statements run inside functions (a report's query) as well as top-level ones.", nullptr,
        &g_capture_nested, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  });
  if (!process_shared_preload_libraries_in_progress) {
    return; // a PGC_POSTMASTER setting can only be defined while preloading
  }
  pg::guard([] {
    DefineCustomIntVariable("autoreport.capture_max", "How many distinct slow statements capture keeps.",
                            nullptr, &g_max_entries, 1000, 10, 100000, PGC_POSTMASTER, 0, nullptr, nullptr,
                            nullptr);
    EnableQueryId();
  });
  pg::register_shared_memory(capture_shmem_request, capture_shmem_startup);
  g_prev_start = ExecutorStart_hook;
  ExecutorStart_hook = capture_start;
  g_prev_run = ExecutorRun_hook;
  ExecutorRun_hook = capture_run;
  g_prev_finish = ExecutorFinish_hook;
  ExecutorFinish_hook = capture_finish;
  g_prev_end = ExecutorEnd_hook;
  ExecutorEnd_hook = capture_end;
}

} // namespace autoreport::analyze

using namespace autoreport;

// autoreport.captured() → the captured statements the caller may see: all of them for superusers,
// members of pg_read_all_stats and of autoreport_admin, otherwise the caller's own.
AUTOREPORT_FUNCTION(autoreport_captured) {
  analyze::require_shared();
  const Oid user = GetUserId();
  const bool all =
      pg::guard([&] { return superuser() || has_privs_of_role(user, ROLE_PG_READ_ALL_STATS); }) ||
      reports::is_admin(user);
  // Copy what may be seen under the shared lock, then build the rows without it.
  std::vector<analyze::CaptureEntry> rows;
  pg::guard([&] { LWLockAcquire(analyze::g_shared->lock, LW_SHARED); });
  try {
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, analyze::g_table);
    while (auto* e = static_cast<analyze::CaptureEntry*>(hash_seq_search(&scan))) {
      if (all || e->key.user == user) {
        rows.push_back(*e);
      }
    }
  } catch (...) {
    LWLockRelease(analyze::g_shared->lock);
    throw;
  }
  LWLockRelease(analyze::g_shared->lock);
  pg::TupleSink sink(fcinfo);
  for (const analyze::CaptureEntry& e : rows) {
    std::vector<std::optional<std::string>> values;
    const char* p = e.values;
    for (int i = 0; i < e.nvalues; ++i) {
      const size_t n = std::strlen(p);
      values.emplace_back(n == 0 ? std::nullopt : std::optional<std::string>(std::string(p, n)));
      p += n + 1;
    }
    const std::array<Datum, 14> datums = {
        Int64GetDatum(static_cast<int64>(e.key.query_id)),
        ObjectIdGetDatum(e.key.user),
        ObjectIdGetDatum(e.key.database),
        BoolGetDatum(e.key.toplevel),
        pg::string_to_text(e.text),
        BoolGetDatum(e.text_cut),
        Int64GetDatum(e.calls),
        Float8GetDatum(e.total_ms),
        Float8GetDatum(e.max_ms),
        Int64GetDatum(e.rows),
        TimestampTzGetDatum(e.first_seen),
        TimestampTzGetDatum(e.last_seen),
        pg::make_text_array(values),
        BoolGetDatum(e.sample_complete),
    };
    const std::array<bool, 14> nulls{};
    sink.put(datums, nulls);
  }
  return static_cast<Datum>(0);
}

// autoreport.clear_captured() → how many captured statements were removed.
AUTOREPORT_FUNCTION(autoreport_clear_captured) {
  analyze::require_shared();
  int64 removed = 0;
  pg::guard([&] {
    LWLockAcquire(analyze::g_shared->lock, LW_EXCLUSIVE);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, analyze::g_table);
    while (auto* e = static_cast<analyze::CaptureEntry*>(hash_seq_search(&scan))) {
      hash_search(analyze::g_table, &e->key, HASH_REMOVE, nullptr);
      removed++;
    }
    analyze::g_shared->since = GetCurrentTimestamp();
    pg_atomic_write_u64(&analyze::g_shared->evictions, 0);
    pg_atomic_write_u64(&analyze::g_shared->errors, 0);
    pg_atomic_write_u64(&analyze::g_shared->captured, 0);
    LWLockRelease(analyze::g_shared->lock);
  });
  PG_RETURN_INT64(removed);
}

// autoreport.capture_info() → one row: entries, capacity, calls captured, evictions, errors, since.
AUTOREPORT_FUNCTION(autoreport_capture_info) {
  analyze::require_shared();
  const auto [entries, since] = pg::guard([] {
    LWLockAcquire(analyze::g_shared->lock, LW_SHARED);
    const long n = hash_get_num_entries(analyze::g_table);
    const TimestampTz t = analyze::g_shared->since;
    LWLockRelease(analyze::g_shared->lock);
    return std::pair<long, TimestampTz>(n, t);
  });
  const std::array<Datum, 7> datums = {
      Int32GetDatum(static_cast<int32>(entries)),
      Int32GetDatum(analyze::g_max_entries),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&analyze::g_shared->captured))),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&analyze::g_shared->evictions))),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&analyze::g_shared->errors))),
      TimestampTzGetDatum(since),
      Int32GetDatum(analyze::g_min_duration_ms),
  };
  const std::array<bool, 7> nulls{};
  return pg::make_result_record(fcinfo, datums, nulls);
}
