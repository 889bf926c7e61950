// The result cache: settings, shared counters, lookup, store, eviction, change triggers.
#include "reports/cache_pg.hpp"

#include "common/convert_pg.hpp"
#include "audit/sha256_pg.hpp"
#include "common/shmem_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
}

#include <array>
#include <climits>

namespace autoreport::reports::cache {

namespace {

constexpr const char* kTrigger = "autoreport_cache_invalidate";

bool g_enabled = true;
int g_ttl_seconds = 300;
int g_max_size_kb = 256 * 1024;
int g_max_entry_kb = 16 * 1024;

struct Counters {
  pg_atomic_uint64 hits;
  pg_atomic_uint64 misses;
  pg_atomic_uint64 evictions;
  pg_atomic_uint64 bypassed;
};
Counters* g_counters = nullptr;

void request_shmem() {
  RequestAddinShmemSpace(sizeof(Counters));
}

void startup_shmem() {
  bool found = false;
  g_counters = static_cast<Counters*>(ShmemInitStruct("autoreport cache counters", sizeof(Counters), &found));
  if (!found) {
    pg_atomic_init_u64(&g_counters->hits, 0);
    pg_atomic_init_u64(&g_counters->misses, 0);
    pg_atomic_init_u64(&g_counters->evictions, 0);
    pg_atomic_init_u64(&g_counters->bypassed, 0);
  }
}

void count(pg_atomic_uint64 Counters::*field, uint64 n = 1) {
  if (g_counters != nullptr) {
    pg_atomic_fetch_add_u64(&(g_counters->*field), n);
  }
}

// SHA-256 of data as lower-case hex, computed in process (no query).
std::string hex_sha256(std::string_view data) {
  static constexpr char hex[] = "0123456789abcdef";
  audit::Sha256 sha;
  std::string out;
  for (uint8_t b : sha.digest(data)) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

// True when the table carries the enabled change trigger.
bool watched(Oid relid) {
  return pg::guard([&] {
    Relation rel = RelationIdGetRelation(relid);
    bool found = false;
    if (RelationIsValid(rel)) {
      TriggerDesc* td = rel->trigdesc;
      for (int i = 0; td != nullptr && i < td->numtriggers; ++i) {
        const Trigger& t = td->triggers[i];
        found = found || (strcmp(t.tgname, kTrigger) == 0 && t.tgenabled != TRIGGER_DISABLED);
      }
      RelationClose(rel);
    }
    return found;
  });
}

bool can_write() {
  return pg::guard([] { return !RecoveryInProgress() && !XactReadOnly; });
}

} // namespace

void init() {
  pg::guard([] {
    DefineCustomBoolVariable("autoreport.cache", "Serve and store report results from the result cache.",
                             nullptr, &g_enabled, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "autoreport.cache_ttl", "How long a cached result lives when its report sets no cache_ttl.", nullptr,
        &g_ttl_seconds, 300, 1, INT_MAX, PGC_USERSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("autoreport.cache_max_size", "Total size of the result cache.", nullptr,
                            &g_max_size_kb, 256 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("autoreport.cache_max_entry_size", "Largest result the cache stores.", nullptr,
                            &g_max_entry_kb, 16 * 1024, 0, 1024 * 1024, PGC_SUSET, GUC_UNIT_KB, nullptr,
                            nullptr, nullptr);
  });
  pg::register_shared_memory(request_shmem, startup_shmem);
}

size_t max_entry_bytes() {
  return static_cast<size_t>(g_max_entry_kb) * 1024;
}

void count_bypass() {
  count(&Counters::bypassed);
}

Lookup prepare(const ReportVersion& report, const BoundParams& params, const PreparedReport& prepared,
               TupleDesc result) {
  Lookup l;
  if (!g_enabled) {
    l.bypass = "autoreport.cache is off";
  } else if (pg::guard([] { return RecoveryInProgress(); })) {
    l.bypass = "the server is a standby";
  } else if (!prepared.cacheable) {
    l.bypass = prepared.not_cacheable_because;
  } else {
    for (Oid t : prepared.tables) {
      if (!watched(t)) {
        l.bypass = "a table it reads is not watched for changes; redefine the report";
        break;
      }
    }
  }
  if (!l.bypass.empty()) {
    return l;
  }
  l.role = GetUserId();
  std::string types;
  for (int i = 0; i < result->natts; ++i) {
    types += std::to_string(TupleDescAttr(result, i)->atttypid) + ",";
  }
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  l.params = params.cache_key;
  l.key = hex_sha256(report.name + '\0' + std::to_string(report.version) + '\0' + std::to_string(l.role) +
                     '\0' + types + '\0' + params.cache_key + '\0' + prepared.rewritten);
  std::string relids = "{";
  for (Oid t : prepared.tables) {
    relids += (relids.size() > 1 ? "," : "") + std::to_string(t);
  }
  relids += "}";
  const std::array<pg::SpiParam, 1> a = {
      pg::SpiParam{OIDARRAYOID, pg::input_value(OIDARRAYOID, relids), false}};
  // In the caller's snapshot (read-only SPI shares it): the counters its result will have been computed from.
  l.deps = *spi.execute("SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
                        "  coalesce(pg_catalog.string_agg(relid || ':' || slot || ':' || n, ',' "
                        "  ORDER BY relid, slot), '') || '|' || $1::text, 'UTF8')), 'hex') "
                        "FROM autoreport.table_version WHERE relid = ANY($1)",
                        a, true)
                .text(0, 0);
  l.usable = true;
  return l;
}

std::optional<std::string> fetch(const Lookup& l) {
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 2> a = {pg::SpiParam{TEXTOID, pg::string_to_text(l.key), false},
                                         pg::SpiParam{TEXTOID, pg::string_to_text(l.deps), false}};
  const pg::SpiResult r =
      spi.execute("SELECT payload, last_hit_at < now() - interval '10 seconds' "
                  "FROM autoreport.cache_entry WHERE key = $1 AND deps = $2 AND expires_at > now()",
                  a, true);
  if (r.rows() == 0) {
    count(&Counters::misses);
    return std::nullopt;
  }
  bool is_null = false;
  const Datum d = r.datum(0, 0, &is_null);
  std::string payload(pg::bytea_view(d));
  count(&Counters::hits);
  // Recency for eviction: at most every ten seconds per entry, never waiting for a lock.
  if (*r.boolean(0, 1) && can_write()) {
    spi.execute(
        "UPDATE autoreport.cache_entry SET last_hit_at = now(), hits = hits + 1 WHERE ctid = "
        "(SELECT ctid FROM autoreport.cache_entry WHERE key = $1 AND deps = $2 FOR UPDATE SKIP LOCKED)",
        a, false);
  }
  return payload;
}

void store(const Lookup& l, const ReportVersion& report, const std::string& payload, uint64 rows) {
  if (!l.usable || !can_write() || payload.size() > max_entry_bytes()) {
    return;
  }
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 2> k = {pg::SpiParam{TEXTOID, pg::string_to_text(l.key), false},
                                         pg::SpiParam{TEXTOID, pg::string_to_text(l.deps), false}};
  // Two sessions computing the same entry: the second does not wait for the first to commit.
  if (!*spi.execute("SELECT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('autoreport.cache'), "
                    "pg_catalog.hashtext($1 || $2))",
                    k, false)
            .boolean(0, 0)) {
    return;
  }
  const Datum bytes = pg::bytes_to_bytea(payload);
  const int ttl = g_ttl_seconds;
  const std::array<pg::SpiParam, 9> row = {
      k[0],
      k[1],
      pg::SpiParam{TEXTOID, pg::string_to_text(report.name), false},
      pg::SpiParam{INT4OID, Int32GetDatum(report.version), false},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(l.role), false},
      pg::SpiParam{TEXTOID, pg::string_to_text(l.params), false},
      pg::SpiParam{INT8OID, Int64GetDatum(static_cast<int64>(rows)), false},
      pg::SpiParam{BYTEAOID, bytes, false},
      pg::SpiParam{INT4OID, Int32GetDatum(ttl), false},
  };
  spi.execute(
      "INSERT INTO autoreport.cache_entry (key, deps, report, version, role, params, rows, bytes, payload, "
      "expires_at) "
      "SELECT $1, $2, $3, $4, $5, $6, $7, pg_catalog.length($8), $8, now() + "
      "coalesce((SELECT cache_ttl FROM autoreport.report WHERE name = $3), "
      "         pg_catalog.make_interval(secs => $9)) "
      "ON CONFLICT (key, deps) DO NOTHING",
      row, false);
  // Expired entries go first, then the least recently used ones beyond the size limit. Rows another
  // session holds are skipped rather than waited for.
  const std::array<pg::SpiParam, 1> limit = {
      pg::SpiParam{INT8OID, Int64GetDatum(static_cast<int64>(g_max_size_kb) * 1024), false}};
  const pg::SpiResult evicted = spi.execute(
      "WITH ranked AS (SELECT ctid, expires_at <= now() AS expired, "
      "  sum(bytes) OVER (ORDER BY last_hit_at DESC, created_at DESC) AS running "
      "  FROM autoreport.cache_entry), "
      "victims AS (SELECT e.ctid FROM autoreport.cache_entry AS e "
      "  WHERE e.ctid = ANY (ARRAY(SELECT ctid FROM ranked WHERE expired OR running > $1)) "
      "  FOR UPDATE SKIP LOCKED) "
      "DELETE FROM autoreport.cache_entry AS e USING victims AS v WHERE e.ctid = v.ctid RETURNING 1",
      limit, false);
  count(&Counters::evictions, evicted.processed());
}

void watch_tables(const std::string& report, const std::vector<Oid>& tables) {
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> name = {pg::SpiParam{TEXTOID, pg::string_to_text(report), false}};
  spi.execute("DELETE FROM autoreport.cache_dependency WHERE report = $1", name, false);
  for (Oid t : tables) {
    const std::array<pg::SpiParam, 2> a = {name[0], pg::SpiParam{OIDOID, ObjectIdGetDatum(t), false}};
    spi.execute("INSERT INTO autoreport.cache_dependency (report, relid) VALUES ($1, $2)", a, false);
    if (!watched(t)) {
      const std::string table = pg::guard([&] {
        return quote_qualified_identifier(get_namespace_name(get_rel_namespace(t)), get_rel_name(t));
      });
      const std::array<pg::SpiParam, 1> rel = {pg::SpiParam{OIDOID, ObjectIdGetDatum(t), false}};
      if (spi.execute("SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = "
                      "'autoreport_cache_invalidate'",
                      rel, false)
              .rows() > 0) {
        spi.execute("DROP TRIGGER " + std::string(kTrigger) + " ON " + table, {},
                    false); // present but disabled
      }
      spi.execute("CREATE TRIGGER " + std::string(kTrigger) +
                      " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + table +
                      " FOR EACH STATEMENT EXECUTE FUNCTION autoreport.note_table_change()",
                  {}, false);
      // Also in replication apply (session_replication_role = replica): a subscriber's cache stays exact.
      spi.execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + kTrigger, {}, false);
    }
  }
  // Triggers no report needs any more.
  const pg::SpiResult unused =
      spi.execute("SELECT pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass) FROM "
                  "pg_catalog.pg_trigger AS t "
                  "WHERE t.tgname = 'autoreport_cache_invalidate' "
                  "AND NOT EXISTS (SELECT FROM autoreport.cache_dependency AS d WHERE d.relid = t.tgrelid)",
                  {}, false);
  std::vector<std::string> drops;
  for (uint64 i = 0; i < unused.rows(); ++i) {
    drops.push_back(*unused.text(i, 0));
  }
  for (const std::string& d : drops) {
    spi.execute(d, {}, false);
  }
}

} // namespace autoreport::reports::cache

using namespace autoreport;
namespace pg = autoreport::pg;

// The statement trigger: one more write to this table by this backend's slot.
AUTOREPORT_FUNCTION(autoreport_note_table_change) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "note_table_change() must be called as a trigger");
  }
  TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
  if (!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event)) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "note_table_change() must be a statement trigger");
  }
  const Oid relid = RelationGetRelid(td->tg_relation);
  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 2> a = {pg::SpiParam{OIDOID, ObjectIdGetDatum(relid), false},
                                         pg::SpiParam{INT4OID, Int32GetDatum(MyBackendId), false}};
  spi.execute("INSERT INTO autoreport.table_version AS v (relid, slot, n) VALUES ($1, $2, 1) "
              "ON CONFLICT (relid, slot) DO UPDATE SET n = v.n + 1",
              a, false);
  return PointerGetDatum(nullptr);
}

// autoreport.cache_counters(): hits, misses, evictions and bypassed runs since the server started.
AUTOREPORT_FUNCTION(autoreport_cache_counters) {
  pg::require_preload("autoreport.cache_stats");
  const auto* c = reports::cache::g_counters;
  if (c == nullptr) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the autoreport cache counters are not initialised");
  }
  const std::array<Datum, 4> values = {
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&c->hits)))),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&c->misses)))),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&c->evictions)))),
      Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&c->bypassed)))),
  };
  const std::array<bool, 4> nulls = {};
  return pg::make_result_record(fcinfo, values, nulls);
}

// autoreport.clear_cache(report): removes cached results; returns how many.
AUTOREPORT_FUNCTION(autoreport_clear_cache) {
  const Oid caller = GetUserId();
  const bool admin = pg::guard([&] {
    const Oid role = get_role_oid("autoreport_admin", true);
    return superuser_arg(caller) || (OidIsValid(role) && has_privs_of_role(caller, role));
  });
  const bool one = !PG_ARGISNULL(0);
  const std::string report = one ? pg::text_to_string(PG_GETARG_DATUM(0)) : "";
  reports::AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 3> a = {
      pg::SpiParam{TEXTOID, one ? pg::string_to_text(report) : Datum(0), !one},
      pg::SpiParam{BOOLOID, BoolGetDatum(admin), false},
      pg::SpiParam{OIDOID, ObjectIdGetDatum(caller), false},
  };
  const pg::SpiResult r =
      spi.execute("DELETE FROM autoreport.cache_entry WHERE ($1::text IS NULL OR report = $1) "
                  "AND ($2 OR role = $3) RETURNING 1",
                  a, false);
  PG_RETURN_INT64(static_cast<int64>(r.processed()));
}
