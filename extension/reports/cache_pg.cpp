// The result cache: settings, shared counters, lookup, store, eviction, change triggers.
#include "reports/cache_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/sha256_pg.hpp"
#include "common/shmem_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
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
#include <cstring>
#include <set>

namespace autoreport::reports::cache {

namespace {

constexpr const char* kTrigger = "autoreport_cache_invalidate";
constexpr const char* kApplyTrigger = "autoreport_cache_apply";

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
  pg::Sha256 sha;
  std::string out;
  for (uint8_t b : sha.digest(data)) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

// Why the triggers are what they are, rather than an event trigger on DDL: every way the cache could
// stop seeing writes leaves a trace in pg_class or pg_trigger that a lookup reads in the caller's
// snapshot, and the stamp of an entry includes those traces (see kStampQuery). A rewrite (ALTER TABLE
// ... TYPE ... USING, TRUNCATE, VACUUM FULL) gives the table a new relfilenode; disabling, enabling,
// dropping or re-creating a trigger gives its pg_trigger row a new xmin or oid; attaching or detaching
// a partition or inheritance child changes the closure. So an entry from before a gap in watching is
// never served again, with no event trigger (which a superuser may disable, and which does not fire for
// everything: ENABLE/DISABLE TRIGGER is an ALTER TABLE subcommand, but session_replication_role and
// replication apply are not DDL at all).

// A statement trigger that sees every write made through this table by name: ours (its function), AFTER
// INSERT, UPDATE, DELETE and TRUNCATE, for each statement, no WHEN condition, no column list, and
// ENABLE ALWAYS (so that session_replication_role = replica does not silence it).
constexpr const char* kStatementTriggerOk =
    "%1$s.tgfoid = 'autoreport.note_table_change()'::pg_catalog.regprocedure AND %1$s.tgtype = 60 "
    "AND %1$s.tgenabled = 'A' AND %1$s.tgqual IS NULL AND %1$s.tgconstraint = 0 "
    "AND pg_catalog.cardinality(%1$s.tgattr::pg_catalog.int2[]) = 0 AND NOT %1$s.tgisinternal";

// The row trigger that fires only in replication apply (ENABLE REPLICA): logical replication applies
// rows with no statement trigger at all, so this is how an apply worker's writes reach the counters.
constexpr const char* kApplyTriggerOk =
    "%1$s.tgfoid = 'autoreport.note_table_change()'::pg_catalog.regprocedure AND %1$s.tgtype = 29 "
    "AND %1$s.tgenabled = 'R' AND %1$s.tgqual IS NULL AND %1$s.tgconstraint = 0 "
    "AND pg_catalog.cardinality(%1$s.tgattr::pg_catalog.int2[]) = 0 AND NOT %1$s.tgisinternal";

std::string with_alias(const char* condition, const char* alias) {
  std::string out;
  for (const char* c = condition; *c != '\0'; ++c) {
    if (std::strncmp(c, "%1$s", 4) == 0) {
      out += alias;
      c += 3;
    } else {
      out += *c;
    }
  }
  return out;
}

// The tables whose writes can change what a read of $1 (oid[]) returns: each table, its ancestors
// (a write through a parent fires the parent's statement triggers only) and its descendants (a read
// through inheritance or of a partitioned table returns their rows).
constexpr const char* kClosure =
    "WITH RECURSIVE up(relid) AS ("
    "  SELECT r FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS r "
    "  UNION SELECT i.inhparent FROM pg_catalog.pg_inherits AS i JOIN up ON i.inhrelid = up.relid), "
    "down(relid) AS ("
    "  SELECT r FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS r "
    "  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits AS i JOIN down ON i.inhparent = down.relid), "
    "closure AS (SELECT relid FROM up UNION SELECT relid FROM down) ";

// In the caller's snapshot: the first reason the closure is not fully watched (NULL when it is), and
// the dependency stamp: for each table its pg_class row version, file (rewrites), triggers' identity
// and row versions (any disable, enable, drop or re-create), and its write counters.
std::string stamp_query() {
  return std::string(kClosure) +
         ", state AS ("
         "  SELECT c.oid, "
         "    CASE WHEN c.relkind NOT IN ('r', 'p') OR c.relpersistence = 't' "
         "           THEN pg_catalog.format('%s is not a permanent table', c.oid::pg_catalog.regclass) "
         "         WHEN EXISTS (SELECT FROM pg_catalog.pg_subscription_rel AS s WHERE s.srrelid = c.oid) "
         "           THEN pg_catalog.format('table %s is written by a logical replication subscription', "
         "                                  c.oid::pg_catalog.regclass) "
         "         WHEN st.oid IS NULL OR (c.relkind = 'r' AND rt.oid IS NULL) "
         "           THEN pg_catalog.format('table %s is not watched for changes; redefine the report', "
         "                                  c.oid::pg_catalog.regclass) "
         "    END AS problem, "
         "    c.oid || ':' || c.xmin || ':' || c.relfilenode || ':' || coalesce(st.oid || '/' || st.xmin, "
         "'-') "
         "      || ':' || coalesce(rt.oid || '/' || rt.xmin, '-') AS stamp "
         "  FROM closure JOIN pg_catalog.pg_class AS c ON c.oid = closure.relid "
         "  LEFT JOIN pg_catalog.pg_trigger AS st ON st.tgrelid = c.oid "
         "    AND st.tgname = 'autoreport_cache_invalidate' AND " +
         with_alias(kStatementTriggerOk, "st") +
         "  LEFT JOIN pg_catalog.pg_trigger AS rt ON rt.tgrelid = c.oid "
         "    AND rt.tgname = 'autoreport_cache_apply' AND " +
         with_alias(kApplyTriggerOk, "rt") +
         ") "
         "SELECT (SELECT problem FROM state WHERE problem IS NOT NULL ORDER BY oid LIMIT 1), "
         "  pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
         "    coalesce((SELECT pg_catalog.string_agg(stamp, ',' ORDER BY oid) FROM state), '') || '|' || "
         "    coalesce((SELECT pg_catalog.string_agg(v.relid || ':' || v.slot || ':' || v.n, ',' "
         "              ORDER BY v.relid, v.slot) FROM autoreport.table_version AS v "
         "              WHERE v.relid IN (SELECT oid FROM state)), ''), 'UTF8')), 'hex')";
}

std::string oid_array(const std::vector<Oid>& tables) {
  std::string relids = "{";
  for (Oid t : tables) {
    relids += (relids.size() > 1 ? "," : "") + std::to_string(t);
  }
  return relids + "}";
}

// The session settings a query's values can depend on when they are turned into text inside the query
// (x::text of a float, a date or an interval, to_char, money): part of the key, so a session with other
// settings never gets them.
std::string output_settings() {
  static constexpr std::array<const char*, 8> names = {"extra_float_digits", "bytea_output", "DateStyle",
                                                       "IntervalStyle",      "TimeZone",     "lc_monetary",
                                                       "lc_numeric",         "lc_time"};
  std::string out;
  for (const char* name : names) {
    const char* value = pg::guard([&] { return GetConfigOption(name, true, false); });
    out += std::string(name) + '=' + (value ? value : "") + '\0';
  }
  return out;
}

// True for superusers, autoreport_admin and pg_read_all_stats: they see the whole cache's activity.
bool sees_all(Oid role) {
  return pg::guard([&] {
    const Oid admin = get_role_oid("autoreport_admin", true);
    return superuser_arg(role) || (OidIsValid(admin) && has_privs_of_role(role, admin)) ||
           has_privs_of_role(role, ROLE_PG_READ_ALL_STATS);
  });
}

// Runs a write of the cache's own so that it can never fail the caller: in a subtransaction whose
// failure (a serialization failure under REPEATABLE READ, a deadlock, a full disk...) is rolled back
// and forgotten. A cancel or termination still ends the call.
template <typename F> void write_quietly(F&& f) {
  try {
    pg::subtransaction(std::forward<F>(f));
  } catch (const Error&) {
    // Only the cache is the poorer.
  }
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
  } else if (pg::guard([] { return IsolationIsSerializable(); })) {
    // Reading and writing the cache's tables would take predicate locks that can fail the caller's
    // commit with a serialization failure its own queries did not cause.
    l.bypass = "the transaction is serializable";
  } else if (!prepared.cacheable) {
    l.bypass = prepared.not_cacheable_because;
  }
  if (!l.bypass.empty()) {
    return l;
  }
  l.role = GetUserId();
  // The name too: a row-level security policy may compare current_user, which a rename changes.
  const std::string role_name =
      pg::guard([&] { return static_cast<const char*>(GetUserNameFromId(l.role, false)); });
  std::string types;
  for (int i = 0; i < result->natts; ++i) {
    types += std::to_string(TupleDescAttr(result, i)->atttypid) + ",";
  }
  const std::string settings = output_settings();
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  l.params = params.cache_key;
  l.key = hex_sha256(report.name + '\0' + std::to_string(report.version) + '\0' + std::to_string(l.role) +
                     '\0' + role_name + '\0' + types + '\0' + params.cache_key + '\0' + settings + '\0' +
                     prepared.rewritten);
  const std::array<pg::SpiParam, 1> a = {
      pg::SpiParam{OIDARRAYOID, pg::input_value(OIDARRAYOID, oid_array(prepared.tables)), false}};
  // In the caller's snapshot (read-only SPI shares it): the catalog state and counters its result
  // will have been computed from.
  const pg::SpiResult r = spi.execute(stamp_query(), a, true);
  if (std::optional<std::string> problem = r.text(0, 0)) {
    l.bypass = *problem;
    return l;
  }
  l.deps = *r.text(0, 1);
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
    write_quietly([&] {
      pg::SpiConnection inner;
      inner.execute(
          "UPDATE autoreport.cache_entry SET last_hit_at = now(), hits = hits + 1 WHERE ctid = "
          "(SELECT ctid FROM autoreport.cache_entry WHERE key = $1 AND deps = $2 FOR UPDATE SKIP LOCKED)",
          a, false);
    });
  }
  return payload;
}

namespace {
// The body of store(), in its subtransaction.
void store_entry(const Lookup& l, const ReportVersion& report, const std::string& payload, uint64 rows) {
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
} // namespace

void store(const Lookup& l, const ReportVersion& report, const std::string& payload, uint64 rows) {
  if (!l.usable || !can_write() || payload.size() > max_entry_bytes()) {
    return;
  }
  AsExtensionOwner as_owner;
  write_quietly([&] { store_entry(l, report, payload, rows); });
}

void watch_tables(const std::string& report, const std::vector<Oid>& tables) {
  AsExtensionOwner as_owner;
  pg::SpiConnection spi;
  const std::array<pg::SpiParam, 1> name = {pg::SpiParam{TEXTOID, pg::string_to_text(report), false}};
  spi.execute("DELETE FROM autoreport.cache_dependency WHERE report = $1", name, false);
  // Every table of the closure (ancestors and descendants too) that can carry triggers; a lookup
  // refuses the cache while any member is not watched (e.g. a foreign partition, or one attached later).
  const std::array<pg::SpiParam, 1> ids = {
      pg::SpiParam{OIDARRAYOID, pg::input_value(OIDARRAYOID, oid_array(tables)), false}};
  const pg::SpiResult closure = spi.execute(
      std::string(kClosure) +
          "SELECT c.oid::pg_catalog.int8, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind, "
          "  EXISTS (SELECT FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid "
          "          AND t.tgname = 'autoreport_cache_invalidate'), "
          "  EXISTS (SELECT FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid "
          "          AND t.tgname = 'autoreport_cache_invalidate' AND " +
          with_alias(kStatementTriggerOk, "t") +
          "), "
          "  EXISTS (SELECT FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid "
          "          AND t.tgname = 'autoreport_cache_apply'), "
          "  EXISTS (SELECT FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid "
          "          AND t.tgname = 'autoreport_cache_apply' AND " +
          with_alias(kApplyTriggerOk, "t") +
          ") "
          "FROM closure JOIN pg_catalog.pg_class AS c ON c.oid = closure.relid "
          "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' ORDER BY c.oid",
      ids, false);
  struct Member {
    Oid relid;
    std::string table;
    bool partitioned, has_statement, statement_ok, has_apply, apply_ok;
  };
  std::vector<Member> members;
  for (uint64 i = 0; i < closure.rows(); ++i) {
    members.push_back(Member{static_cast<Oid>(*closure.integer(i, 0)), *closure.text(i, 1),
                             *closure.text(i, 2) == "p", *closure.boolean(i, 3), *closure.boolean(i, 4),
                             *closure.boolean(i, 5), *closure.boolean(i, 6)});
  }
  for (const Member& m : members) {
    const std::array<pg::SpiParam, 2> a = {name[0], pg::SpiParam{OIDOID, ObjectIdGetDatum(m.relid), false}};
    spi.execute("INSERT INTO autoreport.cache_dependency (report, relid) VALUES ($1, $2)", a, false);
    if (!m.statement_ok) {
      if (m.has_statement) { // disabled, or replaced by something else under our name
        spi.execute("DROP TRIGGER " + std::string(kTrigger) + " ON " + m.table, {}, false);
      }
      spi.execute("CREATE TRIGGER " + std::string(kTrigger) +
                      " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + m.table +
                      " FOR EACH STATEMENT EXECUTE FUNCTION autoreport.note_table_change()",
                  {}, false);
      // Also with session_replication_role = replica.
      spi.execute("ALTER TABLE " + m.table + " ENABLE ALWAYS TRIGGER " + kTrigger, {}, false);
    }
    // Replication apply writes rows into leaf tables and fires only their row triggers.
    if (!m.partitioned && !m.apply_ok) {
      if (m.has_apply) {
        spi.execute("DROP TRIGGER " + std::string(kApplyTrigger) + " ON " + m.table, {}, false);
      }
      spi.execute("CREATE TRIGGER " + std::string(kApplyTrigger) + " AFTER INSERT OR UPDATE OR DELETE ON " +
                      m.table + " FOR EACH ROW EXECUTE FUNCTION autoreport.note_table_change()",
                  {}, false);
      spi.execute("ALTER TABLE " + m.table + " ENABLE REPLICA TRIGGER " + kApplyTrigger, {}, false);
    }
  }
  // Triggers no report needs any more.
  const pg::SpiResult unused = spi.execute(
      "SELECT pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass) FROM "
      "pg_catalog.pg_trigger AS t "
      "WHERE t.tgname IN ('autoreport_cache_invalidate', 'autoreport_cache_apply') AND NOT t.tgisinternal "
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

// The change triggers: one more write to this table by this backend's slot. The statement trigger
// counts every statement; the row trigger, which fires only in replication apply, counts once per
// table and (sub)transaction, so that applying a million rows bumps the counter once.
AUTOREPORT_FUNCTION(autoreport_note_table_change) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "note_table_change() must be called as a trigger");
  }
  TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
  if (!TRIGGER_FIRED_AFTER(td->tg_event)) {
    throw Error(sqlstate::object_not_in_prerequisite_state, "note_table_change() must be an AFTER trigger");
  }
  const Oid relid = RelationGetRelid(td->tg_relation);
  if (TRIGGER_FIRED_FOR_ROW(td->tg_event)) {
    static LocalTransactionId seen_in = InvalidLocalTransactionId;
    static SubTransactionId seen_sub = InvalidSubTransactionId;
    static std::set<Oid> seen;
    const SubTransactionId sub = GetCurrentSubTransactionId();
    if (seen_in != MyProc->lxid || seen_sub != sub) {
      seen.clear();
      seen_in = MyProc->lxid;
      seen_sub = sub;
    }
    if (!seen.insert(relid).second) {
      return PointerGetDatum(nullptr);
    }
  }
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
  // Server-wide activity is for those who may see all of it.
  const bool all = reports::cache::sees_all(GetUserId());
  const std::array<bool, 4> nulls = {!all, !all, !all, !all};
  return pg::make_result_record(fcinfo, values, nulls);
}

// autoreport.cache_usage(): entries and bytes of the caller's own cached results, or of all of them for
// superusers, autoreport_admin and pg_read_all_stats.
AUTOREPORT_FUNCTION(autoreport_cache_usage) {
  const Oid caller = GetUserId();
  const bool all = reports::cache::sees_all(caller);
  std::array<Datum, 2> values = {Int64GetDatum(0), Int64GetDatum(0)};
  // A standby cannot read unlogged tables; its cache is empty by construction.
  if (!pg::guard([] { return RecoveryInProgress(); })) {
    reports::AsExtensionOwner as_owner;
    pg::SpiConnection spi;
    const std::array<pg::SpiParam, 2> a = {pg::SpiParam{BOOLOID, BoolGetDatum(all), false},
                                           pg::SpiParam{OIDOID, ObjectIdGetDatum(caller), false}};
    const pg::SpiResult r = spi.execute("SELECT count(*), coalesce(sum(bytes), 0)::pg_catalog.int8 "
                                        "FROM autoreport.cache_entry WHERE $1 OR role = $2",
                                        a, true);
    values = {Int64GetDatum(*r.integer(0, 0)), Int64GetDatum(*r.integer(0, 1))};
  }
  const std::array<bool, 2> nulls = {};
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
