// Managed views: create_view(), refresh_view(), drop_view(), alter_view(), manage_view(), pending_changes()
// and the DDL event trigger; capture_pg.cpp captures the sources' changes.
//
// A view is an ordinary table owned by its creator. An incremental view's sources carry statement
// triggers (capture_changes) that append each statement's changed rows, with their transaction and
// command, to the source's unlogged log. A refresh reads, in one snapshot, the log rows its view has
// not applied yet and the sources, merges the delta into the table and records that snapshot as what
// the view now includes. Checks run as the caller; the catalog and the logs are written as the
// extension's owner; the view's own statements run as the view's owner, as REFRESH MATERIALIZED VIEW
// does.
#include "views/analyze_pg.hpp"
#include "views/capture_pg.hpp"
#include "views/statements_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"
#include "reports/catalog_pg.hpp"
#include "schedules/cron.hpp"
#include "schedules/shared_pg.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
}

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

using namespace autoreport;
using namespace autoreport::views;
namespace pg = autoreport::pg;

namespace {

using pg::int8_param;
using pg::text_param;

// The statements of a view run as its owner, in a restricted security context, names resolving in
// pg_catalog only (everything the generated SQL names is qualified).
class AsViewOwner {
public:
  // restricted: false only for REFRESH MATERIALIZED VIEW, which restricts itself (after making the
  // temporary table CONCURRENTLY needs, which a restricted operation may not).
  explicit AsViewOwner(Oid owner, bool restricted = true) : path_("search_path", "pg_catalog, pg_temp") {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
                                      (restricted ? SECURITY_RESTRICTED_OPERATION : 0));
  }
  ~AsViewOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }
  AsViewOwner(const AsViewOwner&) = delete;
  AsViewOwner& operator=(const AsViewOwner&) = delete;

private:
  pg::SettingScope path_;
  Oid saved_user_;
  int saved_context_;
};

// A registered copy of a snapshot, released at the end of the scope.
class HeldSnapshot {
public:
  HeldSnapshot() : snap_(pg::guard([] { return RegisterSnapshot(GetLatestSnapshot()); })) {}
  ~HeldSnapshot() {
    try {
      pg::guard([&] { UnregisterSnapshot(snap_); });
    } catch (...) {
      // released by the transaction's end
    }
  }
  HeldSnapshot(const HeldSnapshot&) = delete;
  HeldSnapshot& operator=(const HeldSnapshot&) = delete;
  Snapshot get() const noexcept { return snap_; }

private:
  Snapshot snap_;
};

struct ViewRow {
  int64_t id = 0;
  Oid relid = InvalidOid;
  Oid owner = InvalidOid;
  std::string tree;
  std::string refresh;
  bool needs_full = true;
  std::optional<std::string> full_reason;
  std::optional<std::string> snapshot;
  std::optional<std::string> xid;
  std::optional<int64_t> cid;
  bool matview = false; // an adopted materialized view (manage_view), refreshed by REFRESH MATERIALIZED VIEW
  std::string definition;
  std::string origin; // the database the row was written in (see views.sql)
};

constexpr const char* kViewColumns =
    "id, relid::bigint, owner::oid::bigint, tree, refresh, needs_full, full_reason, applied_snapshot::text, "
    "applied_xid::text, applied_cid, kind = 'materialized view', definition, origin";

ViewRow view_row(const pg::SpiResult& r, uint64_t i) {
  ViewRow v;
  v.id = *r.integer(i, 0);
  v.relid = static_cast<Oid>(*r.integer(i, 1));
  v.owner = static_cast<Oid>(*r.integer(i, 2));
  v.tree = *r.text(i, 3);
  v.refresh = *r.text(i, 4);
  v.needs_full = *r.boolean(i, 5);
  v.full_reason = r.text(i, 6);
  v.snapshot = r.text(i, 7);
  v.xid = r.text(i, 8);
  v.cid = r.integer(i, 9);
  v.matview = *r.boolean(i, 10);
  v.definition = *r.text(i, 11);
  v.origin = *r.text(i, 12);
  return v;
}

// This database, as managed_view.origin names it: a row written elsewhere was restored from a dump.
std::string here() {
  return std::to_string(pg::guard([] { return GetSystemIdentifier(); })) + "/" + std::to_string(MyDatabaseId);
}

// The managed view stored in table `name` (resolved as the caller would), or 42704.
Oid resolve_view_table(const std::string& name) {
  const Oid relid = pg::guard([&] {
    List* names = stringToQualifiedNameList(name.c_str());
    return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
  });
  if (!OidIsValid(relid)) {
    throw Error(sqlstate::undefined_object, "managed view \"" + name + "\" does not exist");
  }
  return relid;
}

std::optional<ViewRow> find_view(Oid relid, bool lock) {
  const std::array<pg::SpiParam, 1> args = {int8_param(relid)};
  const pg::SpiResult r =
      execute_at(InvalidSnapshot,
                 std::string("SELECT ") + kViewColumns +
                     " FROM autoreport.managed_view WHERE relid = $1::oid" + (lock ? " FOR UPDATE" : ""),
                 args, false);
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return view_row(r, 0);
}

// caller: the role that called the function (GetUserId() before any switch to another role).
void require_may_change(Oid caller, Oid owner, const std::string& name, const char* verb) {
  if (!pg::guard([&] { return has_privs_of_role(caller, owner); }) && !reports::is_admin(caller)) {
    throw Error(sqlstate::insufficient_privilege,
                std::string("permission denied to ") + verb + " managed view \"" + name + "\"")
        .with_detail("Only the view's owner and members of autoreport_admin may.");
  }
}

// The managed view in table `relid` (called `name` by the caller), read as the extension's owner and
// row-locked when `lock`: 42704 (with `hint`, if any) when it is none, 42501 unless `caller` may `verb` it.
ViewRow view_for_change(Oid caller, Oid relid, const std::string& name, const char* verb, bool lock,
                        const char* hint = nullptr) {
  reports::AsExtensionOwner as_extension;
  const std::optional<ViewRow> v = find_view(relid, lock);
  if (!v) {
    Error e(sqlstate::undefined_object, "\"" + name + "\" is not a managed view");
    if (hint != nullptr) {
      e.with_hint(hint);
    }
    throw e;
  }
  require_may_change(caller, v->owner, name, verb);
  return *v;
}

// The condition (on a log's rows, alias l) that keeps the changes a view has not applied: $2 is the
// snapshot it includes, $3 and $4 the transaction and command of its last refresh. (No condition on
// _ar_xid alone: the log has no index to use it, and the planner, whose histogram of _ar_xid always
// ends before the newest changes, took it to leave one row of thousands, and joined them by nested
// loops.)
constexpr const char* kWindow = "CASE WHEN l._ar_xid = $3 THEN l._ar_cid >= $4 "
                                "ELSE NOT pg_catalog.pg_visible_in_snapshot(l._ar_xid, $2) END";

std::array<pg::SpiParam, 3> window_params(const ViewRow& v) {
  return {pg::SpiParam{PG_SNAPSHOTOID, pg::input_value(PG_SNAPSHOTOID, *v.snapshot), false},
          pg::SpiParam{XID8OID, pg::input_value(XID8OID, *v.xid), false}, int8_param(*v.cid)};
}

struct SourceChanges {
  int64_t rows = 0;    // log rows: the work of applying them
  int64_t changes = 0; // rows changed (a log row stands for as many equal ones as its sign says)
  bool truncated = false;
  std::optional<double> lag; // seconds since the oldest change was captured
};

// The changes of each distinct source of view v not yet applied, read at snap.
std::map<Oid, SourceChanges> pending(const ViewRow& v, const std::vector<Oid>& sources, Snapshot snap,
                                     bool read_only) {
  std::map<Oid, SourceChanges> out;
  if (!v.snapshot || !v.xid || !v.cid) {
    return out;
  }
  const std::array<pg::SpiParam, 3> w = window_params(v);
  const std::array<pg::SpiParam, 4> params = {pg::SpiParam{BOOLOID, BoolGetDatum(false), false}, w[0], w[1],
                                              w[2]};
  for (Oid s : std::set<Oid>(sources.begin(), sources.end())) {
    const std::string sql = "SELECT count(*), count(*) FILTER (WHERE l._ar_sign = 0), "
                            "extract(epoch FROM pg_catalog.now() - min(l._ar_at))::float8, "
                            "coalesce(sum(abs(l._ar_sign)), 0)::int8 FROM " +
                            log_name(s) + " AS l WHERE $1 IS NOT NULL AND " + kWindow;
    const pg::SpiResult r = execute_at(snap, sql, params, read_only);
    SourceChanges c;
    c.rows = *r.integer(0, 0);
    c.truncated = *r.integer(0, 1) > 0;
    c.lag = r.number(0, 2);
    c.changes = *r.integer(0, 3);
    out[s] = c;
  }
  return out;
}

struct Outcome {
  std::string mode;
  std::string reason;
  int64_t rows = 0;
  double seconds = 0;
};

// The rows of the given tables, as the planner's statistics estimate them (50 rows a page for a table
// never analysed).
double estimated_rows(const std::vector<Oid>& tables) {
  return pg::guard([&] {
    double total = 0;
    for (Oid t : tables) {
      HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(t));
      if (!HeapTupleIsValid(tup)) {
        continue;
      }
      const Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup));
      double n = c->reltuples;
      const bool storage = RELKIND_HAS_STORAGE(c->relkind);
      ReleaseSysCache(tup);
      if (n < 0 && storage) {
        Relation rel = table_open(t, AccessShareLock);
        n = static_cast<double>(RelationGetNumberOfBlocks(rel)) * 50;
        table_close(rel, AccessShareLock);
      }
      total += std::max(n, 0.0);
    }
    return total;
  });
}

Datum tid_array(const std::vector<Datum>& tids) {
  const std::unique_ptr<bool[]> nulls(new bool[tids.size() + 1]());
  return pg::make_array(tids, std::span<const bool>(nulls.get(), tids.size()), TIDOID);
}

// The changes of one statement of a source as a delta relation (see Maintenance::set_delta).
std::string statement_delta(const Source& src, const Written& w) {
  std::string columns;
  for (const Source::Logged& c : src.columns) {
    columns += ", " + c.name;
  }
  std::vector<std::string> parts;
  if (w.old_table != nullptr) {
    parts.push_back("SELECT (-1)::int2 AS _ar_sign" + columns + " FROM " +
                    std::string(pg::guard([&] { return quote_identifier(w.old_table); })));
  }
  if (w.new_table != nullptr) {
    parts.push_back("SELECT 1::int2 AS _ar_sign" + columns + " FROM " +
                    std::string(pg::guard([&] { return quote_identifier(w.new_table); })));
  }
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : " UNION ALL ") + p;
  }
  return out;
}

// The log blocks past which an immediate refresh next purges a log (per backend): a purge reads the
// whole log, which views refreshed on demand may keep long, so a writer purges each time it doubled.
std::map<Oid, BlockNumber>& purge_thresholds() {
  static std::map<Oid, BlockNumber> thresholds;
  return thresholds;
}

// A log larger than this many blocks that a purge left empty is truncated (when no one else holds it):
// its emptied pages would otherwise be read by every refresh until autovacuum, then kept in the file
// (VACUUM returns only the trailing ones), after a large batch of changes.
constexpr BlockNumber kTruncateBlocks = 128;

// Truncates the log of `source` if it has kTruncateBlocks or more, holds no row a view has not applied
// (after this refresh's purge) and no writer holds it: its lock is taken without waiting, and only rows
// of transactions that committed before it can be in it then. Run as the extension's owner.
void truncate_drained_log(Oid source) {
  const Oid log = log_oid(source);
  if (!OidIsValid(log)) {
    return;
  }
  const bool locked = pg::guard([&] {
    Relation rel = table_open(log, AccessShareLock);
    const BlockNumber blocks = RelationGetNumberOfBlocks(rel);
    // Open elsewhere in this backend (a query still reading it): TRUNCATE would refuse.
    const bool in_use = rel->rd_refcnt > 1;
    table_close(rel, AccessShareLock);
    return blocks >= kTruncateBlocks && !in_use && ConditionalLockRelationOid(log, AccessExclusiveLock);
  });
  if (!locked) {
    return;
  }
  if (*execute_at(InvalidSnapshot, "SELECT EXISTS (SELECT FROM " + log_name(source) + ")", {}, false)
           .boolean(0, 0)) {
    pg::guard([&] { UnlockRelationOid(log, AccessExclusiveLock); }); // nothing written under it
    return;
  }
  execute_at(InvalidSnapshot, "TRUNCATE " + log_name(source), {});
}

// The analysed query of a materialized view, as PostgreSQL keeps it (its _RETURN rule).
Query* matview_query(pg::SpiConnection& spi, Oid relid) {
  const std::array<pg::SpiParam, 1> p = {int8_param(relid)};
  const pg::SpiResult r = spi.execute(
      "SELECT ev_action::text FROM pg_catalog.pg_rewrite WHERE ev_class = $1::oid AND rulename = '_RETURN'",
      p, true);
  if (r.rows() != 1 || !r.text(0, 0)) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the query of " + relation_name(relid) + " was not found");
  }
  const std::string text = *r.text(0, 0);
  List* actions = pg::guard([&] { return static_cast<List*>(stringToNode(text.c_str())); });
  if (list_length(actions) != 1) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the query of " + relation_name(relid) + " is not one query");
  }
  return linitial_node(Query, actions);
}

// Records the sources of view `id` (replacing what was recorded).
void record_sources(pg::SpiConnection& spi, int64_t id, const std::vector<Oid>& sources) {
  reports::AsExtensionOwner as_extension;
  const std::array<pg::SpiParam, 1> v = {int8_param(id)};
  spi.execute("DELETE FROM autoreport.view_source WHERE view = $1", v, false);
  for (size_t i = 0; i < sources.size(); ++i) {
    const std::array<pg::SpiParam, 3> s = {int8_param(id), int8_param(static_cast<int64_t>(i + 1)),
                                           int8_param(sources[i])};
    spi.execute("INSERT INTO autoreport.view_source (view, position, source) VALUES ($1, $2::int4, $3::oid)",
                s, false);
  }
}

// Takes over view v, restored from a dump of another database (its origin): the tree analysed again
// from the definition (an adopted materialized view's from the materialized view), the sources recorded
// and captured anew (logs and capture triggers restored from the dump, which name the other database's
// OIDs, replaced), and a full refresh due. v is updated to match.
void take_over(pg::SpiConnection& spi, ViewRow& v) {
  const std::string name = relation_name(v.relid);
  const bool captured = v.refresh != "full" && !v.matview;
  // A scheduled refresh waits for the restore to end (the capture triggers of the dump come last).
  if (captured && IsBackgroundWorker) {
    const std::array<pg::SpiParam, 1> p = {int8_param(v.id)};
    if (*execute_at(
             InvalidSnapshot,
             "SELECT count(*) FROM autoreport.view_source AS s WHERE s.view = $1 AND NOT EXISTS (SELECT "
             "FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = s.source AND t.tgname = "
             "'autoreport_capture_truncate')",
             p, false)
             .integer(0, 0) > 0) {
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "managed view " + name + " was restored from a dump and its sources are not restored yet")
          .with_hint("Its scheduled refresh takes it over once they are; so does autoreport.refresh_view().");
    }
  }
  std::string tree;
  Analysis a;
  try {
    pg::subtransaction([&] {
      pg::SettingScope path("search_path", "pg_catalog, pg_temp");
      Query* q = v.matview ? matview_query(spi, v.relid) : parse_query(v.definition);
      a = analyze(q);
      tree = tree_to_text(q);
    });
  } catch (const Error& e) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "managed view " + name +
                    " is broken: it was restored from a dump, and its query does not read "
                    "the restored tables as it did: " +
                    e.message())
        .with_hint(
            "Drop it with autoreport.drop_view() and create it again over the tables as they are now.");
  }
  if (captured && !a.incremental) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "managed view " + name + " is broken: it was restored from a dump: " + a.refusal);
  }
  const std::string reason = "restored from a dump: refreshed in full once";
  const std::array<pg::SpiParam, 5> row = {int8_param(v.id), text_param(tree), text_param(a.definition),
                                           text_param(here()), text_param(reason)};
  execute_at(
      InvalidSnapshot,
      "UPDATE autoreport.managed_view SET tree = $2, definition = $3, origin = $4, needs_full = true, "
      "full_reason = $5, applied_snapshot = NULL, applied_xid = NULL, applied_cid = NULL, broken = NULL "
      "WHERE id = $1",
      row, false);
  record_sources(spi, v.id, a.sources);
  // The logs restored from the dump belong to no capture of this database.
  const pg::SpiResult stale =
      execute_at(InvalidSnapshot,
                 "SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c WHERE c.relnamespace = "
                 "'autoreport_log'::regnamespace AND c.relkind = 'r' AND NOT EXISTS (SELECT FROM "
                 "autoreport.capture AS k "
                 "WHERE k.log = c.oid)",
                 {}, false);
  std::vector<std::string> logs;
  for (uint64_t i = 0; i < stale.rows(); ++i) {
    logs.push_back(*stale.text(i, 0));
  }
  for (const std::string& log : logs) {
    spi.execute("DROP TABLE IF EXISTS " + log, {}, false);
  }
  if (captured) {
    std::map<Oid, std::set<AttrNumber>> columns;
    for (size_t i = 0; i < a.sources.size(); ++i) {
      columns[a.sources[i]].insert(a.columns[i].begin(), a.columns[i].end());
    }
    for (const auto& [source, atts] : columns) {
      ensure_capture(spi, source, std::vector<AttrNumber>(atts.begin(), atts.end()), v.owner);
    }
  }
  v.tree = tree;
  v.definition = a.definition;
  v.origin = here();
  v.needs_full = true;
  v.full_reason = reason;
  v.snapshot.reset();
  v.xid.reset();
  v.cid.reset();
}

// The analyses of views' stored trees, kept per backend: analyze() reads the catalogs for every source,
// column, function and type the query names, which costs more than applying a one-row change. An entry
// is dropped when its tree changes or when the catalogs it read may have: an invalidation of one of its
// sources or of its table (DDL, ANALYZE), of all relations, or of any namespace, type, function or
// operator (a rename changes the deparsed names). The callbacks only erase entries: a refresh holds its
// own reference to the analysis it uses.
struct CachedAnalysis {
  std::string tree;
  Oid relid = InvalidOid;
  std::shared_ptr<const Analysis> analysis;
};

std::map<int64_t, CachedAnalysis>& analyses() {
  static std::map<int64_t, CachedAnalysis> cache;
  return cache;
}

// Counts the invalidations: an analysis made while one arrived is used once and not kept.
uint64_t g_invalidations = 0;

void forget_relation(Datum, Oid relid) {
  ++g_invalidations;
  auto& cache = analyses();
  if (!OidIsValid(relid)) {
    cache.clear();
    return;
  }
  for (auto it = cache.begin(); it != cache.end();) {
    const std::vector<Oid>& sources = it->second.analysis->sources;
    if (it->second.relid == relid || std::find(sources.begin(), sources.end(), relid) != sources.end()) {
      it = cache.erase(it);
    } else {
      ++it;
    }
  }
}

void forget_all(Datum, int, uint32) {
  ++g_invalidations;
  analyses().clear();
}

// The analysis of view `id` (table relid) stored as `tree`, from the cache or analysed now.
std::shared_ptr<const Analysis> view_analysis(int64_t id, Oid relid, const std::string& tree) {
  static bool registered = false;
  if (!registered) {
    pg::guard([] {
      CacheRegisterRelcacheCallback(forget_relation, 0);
      for (int cache : {NAMESPACEOID, TYPEOID, PROCOID, OPEROID}) {
        CacheRegisterSyscacheCallback(cache, forget_all, 0);
      }
    });
    registered = true;
  }
  auto& cache = analyses();
  const auto found = cache.find(id);
  if (found != cache.end() && found->second.tree == tree && found->second.relid == relid) {
    return found->second.analysis;
  }
  const uint64_t invalidations = g_invalidations;
  auto a = std::make_shared<const Analysis>(analyze(tree_from_text(tree)));
  if (invalidations == g_invalidations) {
    analyses()[id] = CachedAnalysis{tree, relid, a};
  }
  return a;
}

// Brings view v up to date, as described at the top of this file. mode: auto, incremental or full; or
// immediate: from the capture trigger of a writing statement, applying its changes (incremental).
Outcome refresh(pg::SpiConnection& spi, Oid relid, const std::string& mode,
                const std::optional<Written>& written = std::nullopt) {
  const TimestampTz started = GetCurrentTimestamp();
  reports::AsExtensionOwner as_extension;
  std::optional<ViewRow> found = find_view(relid, true);
  if (!found) {
    throw Error(sqlstate::undefined_object, relation_name(relid) + " is not a managed view");
  }
  ViewRow v = *found;
  const std::string name = relation_name(v.relid);
  if (v.origin != here()) {
    take_over(spi, v);
  }

  // A crash empties the unlogged logs (and the sentinel with them): whatever they held is lost. (An
  // immediate view lost nothing: each write changed it in the writer's own transaction.)
  if (*execute_at(InvalidSnapshot, "SELECT count(*) FROM autoreport.capture_sentinel", {}, false)
           .integer(0, 0) == 0) {
    execute_at(
        InvalidSnapshot,
        "UPDATE autoreport.managed_view SET needs_full = true, full_reason = 'the server restarted after "
        "a crash: captured changes may be incomplete' WHERE refresh = 'incremental'",
        {}, false);
    execute_at(InvalidSnapshot, "INSERT INTO autoreport.capture_sentinel VALUES (true)", {}, false);
    if (v.refresh == "incremental") {
      v.needs_full = true;
      v.full_reason = "the server restarted after a crash: captured changes may be incomplete";
    }
  }

  std::shared_ptr<const Analysis> analysis;
  try {
    analysis = view_analysis(v.id, v.relid, v.tree);
  } catch (const Error& e) {
    if (e.sqlstate() != sqlstate::object_not_in_prerequisite_state || e.origin() != 0) {
      throw;
    }
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "managed view " + name + " is broken: " + e.message())
        .with_hint(
            "Drop it with autoreport.drop_view() and create it again over the tables as they are now.");
  }
  const Analysis& a = *analysis;
  const bool incremental_view = v.refresh != "full";
  if (incremental_view && !a.incremental) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "managed view " + name + " is broken: " + a.refusal);
  }

  // The owner must still be allowed to read what the view reads: an incremental refresh reads the logs,
  // not the sources, and would otherwise go on showing a role data it lost the right to see.
  for (size_t i = 0; i < a.sources.size(); ++i) {
    const Oid source = a.sources[i];
    bool allowed = pg::guard([&] { return pg_class_aclcheck(source, v.owner, ACL_SELECT) == ACLCHECK_OK; });
    if (!allowed && !a.columns[i].empty()) {
      allowed = true; // or on each column the view reads
      for (AttrNumber att : a.columns[i]) {
        allowed = allowed && pg::guard([&] {
                    return pg_attribute_aclcheck(source, att, v.owner, ACL_SELECT) == ACLCHECK_OK;
                  });
      }
    }
    if (!allowed) {
      throw Error(sqlstate::insufficient_privilege, "permission denied for table " + relation_name(source))
          .with_detail("The owner of managed view " + name + " may no longer read a table the view reads.");
    }
  }

  HeldSnapshot snap;
  std::string used;
  std::string reason;
  std::map<Oid, SourceChanges> changes;
  bool concurrently = false;
  if (v.matview) {
    // CONCURRENTLY needs a unique index on plain columns, without WHERE, and contents to compare with.
    const std::array<pg::SpiParam, 1> p = {int8_param(v.relid)};
    concurrently =
        *execute_at(InvalidSnapshot,
                    "SELECT c.relispopulated AND EXISTS (SELECT FROM pg_catalog.pg_index AS i WHERE "
                    "i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND "
                    "NOT (0 = ANY (i.indkey::int2[]))) FROM pg_catalog.pg_class AS c WHERE c.oid = $1::oid",
                    p, false)
             .boolean(0, 0);
    used = "full";
    reason = concurrently
                 ? "a materialized view, refreshed CONCURRENTLY (it has a unique index): readers never wait"
                 : "a materialized view without a unique index, refreshed in full: readers wait for it";
  } else if (mode == "full") {
    used = "full";
    reason = "asked for";
  } else if (!incremental_view) {
    used = "full";
    reason = "the view is refreshed in full (refresh => 'full')";
  } else if (v.needs_full || !v.snapshot) {
    used = "full";
    reason = v.full_reason.value_or("the first refresh");
  } else if (written) {
    // The capture trigger of a statement: its own changes are all that is pending (every other write
    // to an immediate view's sources was applied by its own statement; create_view and alter_view wait
    // for the writers in flight when a view becomes immediate), so the logs are not counted.
    changes[written->source] =
        SourceChanges{std::max<int64_t>(written->rows, 1), written->rows, written->truncated, std::nullopt};
    used = written->truncated ? "full" : "incremental";
    reason = written->truncated ? relation_name(written->source) + " was truncated"
                                : "applied by the writing statement";
  } else {
    changes = pending(v, a.sources, snap.get(), false);
    int64_t total = 0;
    int64_t changed = 0;
    for (const auto& [source, c] : changes) {
      total += c.rows;
      changed += c.changes;
      if (c.truncated && used.empty()) {
        used = "full";
        reason = relation_name(source) + " was truncated";
      }
    }
    if (used.empty()) {
      used = "incremental";
      if (total == 0) {
        reason = "no changes since the last refresh";
      } else if (mode == "incremental") {
        reason = "asked for";
      } else {
        // Incremental work grows with the changes and the groups they touch, a full refresh with the
        // sources and the view's rows (compared with the query's); in units of reading a source row,
        // from bench/views.sh (1M source rows; 1,500 and 500,000 groups): a change costs about 5
        // (aggregating it with its dimensions), each group it may touch 8 more (finding and rewriting
        // the view's row: at most one a change, at most the view's rows), each row of the view 9 in a
        // full refresh (joining it with the query's and comparing).
        constexpr double kChangeCost = 5.0;
        constexpr double kGroupCost = 8.0;
        constexpr double kViewRowCost = 9.0;
        const std::set<Oid> distinct(a.sources.begin(), a.sources.end());
        const double rows = estimated_rows(std::vector<Oid>(distinct.begin(), distinct.end()));
        const double view_rows = estimated_rows({v.relid});
        const double changes = static_cast<double>(total);
        const std::string figures = std::to_string(changed) + " captured changes" +
                                    (changed != total ? " (" + std::to_string(total) + " log rows)" : "") +
                                    " against about " + std::to_string(static_cast<int64_t>(rows)) +
                                    " source rows and " + std::to_string(static_cast<int64_t>(view_rows)) +
                                    " view rows";
        if (changes * kChangeCost + std::min(changes, view_rows) * kGroupCost >
            rows + view_rows * kViewRowCost) {
          used = "full";
          reason = figures + ": a full refresh is cheaper";
        } else {
          reason = figures + ": applying the changes is cheaper";
        }
      }
    }
  }

  // Few changes: the statements that apply them use their kept generic plans (see kept_plan); a plan
  // made for one row that meets a hundred does little harm.
  constexpr int64_t kFewChanges = 100;
  int64_t captured = 0;
  for (const auto& [source, c] : changes) {
    captured += c.rows;
  }
  const bool few = captured <= kFewChanges;
  // Many: each is planned for its parameters, from the log's statistics. A log that autovacuum last
  // saw empty (purged) has reltuples 0, and the planner then takes any number of rows in it for one:
  // nested loops that scan a dimension table per change. Such a log is analysed first.
  if (!few && !written) {
    for (const auto& [source, c] : changes) {
      const Oid log = log_oid(source);
      if (c.rows <= kFewChanges || !OidIsValid(log)) {
        continue;
      }
      const double counted = estimated_rows({log});
      if (counted * 2 < static_cast<double>(c.rows)) {
        execute_at(InvalidSnapshot, "ANALYZE " + log_name(source), {});
      }
    }
  }
  const std::string view_table = relation_name(v.relid);
  int64_t rows = 0;
  {
    AsViewOwner as_owner(v.owner, !v.matview);
    if (v.matview) {
      execute_at(
          snap.get(),
          std::string("REFRESH MATERIALIZED VIEW ") + (concurrently ? "CONCURRENTLY " : "") + view_table, {});
      rows = -1; // REFRESH MATERIALIZED VIEW does not say
    } else if (used == "full" && incremental_view &&
               !Maintenance(a.shape, view_table).key_columns().empty() &&
               execute_at(snap.get(), "SELECT EXISTS (SELECT FROM " + view_table + ")", {}, true)
                       .boolean(0, 0) == true) {
      // Writing only what differs: a DELETE of every row and an INSERT of them all would check each
      // new row's key against the index entries of the rows just deleted (a 500,000-group view took
      // 6.7 s so, against 0.9 s for REFRESH MATERIALIZED VIEW), and leave the table twice its size.
      // (An empty table, as a new view's, is filled by the INSERT below.)
      rows = refresh_full_by_difference(snap.get(), Maintenance(a.shape, view_table), v.relid);
    } else if (used == "full") {
      execute_at(snap.get(), "DELETE FROM " + view_table, {});
      const std::string insert =
          incremental_view ? Maintenance(a.shape, view_table).full_insert()
                           : "INSERT INTO " + view_table + " SELECT * FROM (" + a.definition + ") AS q";
      rows = static_cast<int64_t>(execute_at(snap.get(), insert, {}).processed());
    } else {
      std::vector<size_t> changed;
      for (size_t i = 0; i < a.sources.size(); ++i) {
        if (changes[a.sources[i]].rows > 0) {
          changed.push_back(i);
        }
      }
      if (!changed.empty() && a.shape.row_level) {
        const std::array<pg::SpiParam, 3> w = window_params(v);
        const std::array<pg::SpiParam, 4> params = {pg::SpiParam{BOOLOID, BoolGetDatum(false), false}, w[0],
                                                    w[1], w[2]};
        for (const std::string& statement : Maintenance(a.shape, view_table).row_changes(changed, kWindow)) {
          rows += static_cast<int64_t>(execute_at(snap.get(), statement, params, false, few).processed());
        }
      } else if (!changed.empty()) {
        Maintenance m(a.shape, view_table);
        // A writer's statement: its changes are read from its transition tables, not the log.
        for (size_t i : changed) {
          if (written && (written->old_table != nullptr || written->new_table != nullptr)) {
            m.set_delta(i, statement_delta(a.shape.sources[i], *written));
          }
        }
        // With more than one source changed, the delta holds rows that cancel out: a group's min or max
        // cannot be taken from it, so every group touched is recomputed.
        const bool all_dirty = changed.size() > 1 && a.shape.has_min_max();
        const std::array<pg::SpiParam, 3> w = window_params(v);
        const std::array<pg::SpiParam, 4> params = {pg::SpiParam{BOOLOID, BoolGetDatum(all_dirty), false},
                                                    w[0], w[1], w[2]};
        const pg::SpiResult r = execute_at(snap.get(), m.merge(changed, kWindow), params, false, few);
        std::vector<Datum> emptied;
        std::vector<Datum> dirty;
        for (uint64_t i = 0; i < r.rows(); ++i) {
          bool null = false;
          const Datum tid = pg::SpiConnection::copy_out(r.datum(i, 0, &null), false, TIDOID);
          // A group the table did not hold is dirty when the view has HAVING: its count is the delta's,
          // not the group's (HAVING may have left the group out), so only a recomputation settles it.
          const bool is_dirty = *r.boolean(i, 2);
          if (is_dirty && !a.shape.having.empty()) {
            dirty.push_back(tid);
          } else if (a.shape.grouped && (*r.integer(i, 1) == 0 || !r.boolean(i, 3).value_or(false))) {
            emptied.push_back(tid); // emptied, or failing HAVING now
          } else if (is_dirty) {
            dirty.push_back(tid);
          }
        }
        rows = static_cast<int64_t>(r.rows());
        if (!emptied.empty()) {
          const std::array<pg::SpiParam, 1> p = {pg::SpiParam{TIDARRAYOID, tid_array(emptied), false}};
          execute_at(snap.get(), m.delete_groups(), p, false, few);
        }
        if (!dirty.empty()) {
          const std::array<pg::SpiParam, 1> p = {pg::SpiParam{TIDARRAYOID, tid_array(dirty), false}};
          if (!a.shape.grouped) {
            execute_at(snap.get(), m.delete_groups(), p, false, few);
          }
          execute_at(snap.get(), m.recompute(), p, false, few);
          if (a.shape.grouped) {
            execute_at(snap.get(), m.delete_groups(), p, false, few);
          }
        }
      }
    }
  }

  // What the view now includes: everything committed in snap, and this transaction's changes before it.
  const FullTransactionId own = pg::guard([] { return GetTopFullTransactionId(); });
  const std::string applied =
      *execute_at(snap.get(), "SELECT pg_catalog.pg_current_snapshot()::text", {}).text(0, 0);
  long secs = 0;
  int usecs = 0;
  TimestampDifference(started, GetCurrentTimestamp(), &secs, &usecs);
  const double seconds = static_cast<double>(secs) + usecs / 1e6;
  const std::array<pg::SpiParam, 8> update = {
      int8_param(v.id),
      text_param(applied),
      pg::SpiParam{XID8OID, FullTransactionIdGetDatum(own), false},
      int8_param(static_cast<int64_t>(snap.get()->curcid)),
      text_param(used + "\n" + reason),
      int8_param(rows < 0 ? std::nullopt : std::optional<int64_t>(rows)),
      pg::SpiParam{FLOAT8OID, Float8GetDatum(seconds), false},
      text_param(a.definition)};
  execute_at(
      InvalidSnapshot,
      "UPDATE autoreport.managed_view SET applied_snapshot = $2::pg_snapshot, applied_xid = $3, "
      "applied_cid = $4, needs_full = false, full_reason = NULL, broken = NULL, last_refresh_at = now(), "
      "last_error = NULL, last_error_at = NULL, "
      "last_mode = split_part($5, E'\\n', 1), last_reason = split_part($5, E'\\n', 2), last_rows = $6, "
      "last_took = make_interval(secs => $7), definition = $8 "
      "WHERE id = $1",
      update, false);

  // Log rows every view over a source has applied are deleted (by a writer's immediate refresh, only
  // once the log doubled in size since the last time).
  for (Oid s : std::set<Oid>(a.sources.begin(), a.sources.end())) {
    if (!incremental_view) {
      break;
    }
    // A log this refresh applied nothing of keeps what it held until one that does (a log is purged
    // often enough: the next refresh with changes of it purges it).
    if (used != "full" && changes[s].rows == 0) {
      continue;
    }
    if (written) {
      const Oid log = log_oid(s);
      const BlockNumber blocks = OidIsValid(log) ? pg::guard([&] {
        Relation rel = table_open(log, AccessShareLock);
        const BlockNumber n = RelationGetNumberOfBlocks(rel);
        table_close(rel, AccessShareLock);
        return n;
      })
                                                 : 0;
      BlockNumber& threshold = purge_thresholds()[s];
      if (blocks < std::max<BlockNumber>(threshold, 8)) {
        continue;
      }
      threshold = blocks * 2;
    }
    const std::array<pg::SpiParam, 1> p = {int8_param(s)};
    execute_at(
        InvalidSnapshot,
        "DELETE FROM " + log_name(s) +
            " WHERE _ar_xid < (SELECT min(LEAST(pg_catalog.pg_snapshot_xmin(v.applied_snapshot), "
            "v.applied_xid)) FROM autoreport.managed_view AS v JOIN autoreport.view_source AS s ON s.view = "
            "v.id WHERE s.source = $1::oid AND v.refresh <> 'full')",
        p, false);
    if (!written) {
      truncate_drained_log(s);
    }
  }
  return Outcome{used, reason, rows, seconds};
}

} // namespace

namespace {

void drop_one(pg::SpiConnection& spi, Oid relid, bool cascade) {
  std::optional<ViewRow> v;
  std::vector<Oid> dependents;
  std::vector<Oid> sources;
  {
    reports::AsExtensionOwner as_extension;
    v = find_view(relid, true);
    if (!v) {
      return; // already dropped through another path of the cascade
    }
    const std::array<pg::SpiParam, 2> p = {int8_param(relid), int8_param(v->id)};
    const pg::SpiResult d = spi.execute(
        "SELECT DISTINCT v.relid::bigint FROM autoreport.managed_view AS v JOIN autoreport.view_source AS s "
        "ON s.view = v.id WHERE s.source = $1::oid AND v.id <> $2",
        p, false);
    for (uint64_t i = 0; i < d.rows(); ++i) {
      dependents.push_back(static_cast<Oid>(*d.integer(i, 0)));
    }
    const pg::SpiResult s =
        spi.execute("SELECT DISTINCT source::bigint FROM autoreport.view_source WHERE view = $2", p, false);
    for (uint64_t i = 0; i < s.rows(); ++i) {
      sources.push_back(static_cast<Oid>(*s.integer(i, 0)));
    }
  }
  if (!dependents.empty() && !cascade) {
    throw Error("2BP01", "cannot drop managed view " + relation_name(relid) + " because managed view " +
                             relation_name(dependents.front()) + " depends on it")
        .with_hint("Drop the views that read it first, or use cascade => true.");
  }
  for (Oid d : dependents) {
    drop_one(spi, d, true);
  }
  const std::string table = relation_name(relid);
  if (v->matview) {
    // Adopted, not created here: it stays, and is no longer refreshed by autoreport.
    pg::guard([&] {
      ereport(NOTICE, (errmsg("materialized view %s is no longer managed; it is not dropped", table.c_str()),
                       errhint("Drop it with DROP MATERIALIZED VIEW.")));
    });
  } else {
    spi.execute("DROP TABLE " + table, {}, false);
  }
  {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 1> p = {int8_param(v->id)};
    spi.execute("DELETE FROM autoreport.managed_view WHERE id = $1", p, false);
  }
  for (Oid s : sources) {
    release_capture(spi, s);
    sync_flags(spi, s);
  }
}

// A view becoming immediate waits for the writers in flight on its sources (and new writers wait for
// it): from its commit on, every write to them applies its own changes, so none is left for a writer's
// refresh to find (which reads only its own statement's changes). The lock is the one CREATE TRIGGER
// takes.
void wait_for_writers(const std::vector<Oid>& sources) {
  for (Oid s : std::set<Oid>(sources.begin(), sources.end())) {
    pg::guard([&] { LockRelationOid(s, ShareRowExclusiveLock); });
  }
}

// The indexes incremental maintenance merges on: unique on the group keys (NULLS NOT DISTINCT), on the
// constant true for one row without GROUP BY, or on the sources' primary keys for rows (the first
// source's unique, each other's for the deletes its changes make).
void create_key_indexes(pg::SpiConnection& spi, const std::string& table, const Shape& shape,
                        const Maintenance& m) {
  if (shape.row_level) {
    spi.execute("CREATE UNIQUE INDEX ON " + table + " (" + m.key_index_columns() + ")", {}, false);
    for (size_t s = 1; s < shape.sources.size(); ++s) {
      spi.execute("CREATE INDEX ON " + table + " (" + m.source_key_columns(s) + ")", {}, false);
    }
    return;
  }
  spi.execute(shape.grouped
                  ? "CREATE UNIQUE INDEX ON " + table + " (" + m.key_index_columns() + ") NULLS NOT DISTINCT"
                  : "CREATE UNIQUE INDEX ON " + table + " ((true))",
              {}, false);
}

struct ViewSchedule {
  std::optional<std::string> schedule; // nullopt: on demand only
  std::optional<std::string> zone;     // the zone a cron schedule is read in
};

// A view's schedule as given: a cron expression (22023 naming what is wrong), read in the session's
// zone, or 'on change', which needs captured changes.
ViewSchedule view_schedule(const std::string& text, bool incremental) {
  if (text == "on change") {
    if (!incremental) {
      throw Error(sqlstate::invalid_parameter_value, "schedule 'on change' needs an incremental view")
          .with_detail("A view refreshed in full captures no changes.")
          .with_hint("Give it a cron schedule, such as '*/15 * * * *'.");
    }
    return {text, std::nullopt};
  }
  (void)schedules::parse_schedule(text);
  return {text, pg::session_zone(true).name};
}

Datum interval_seconds(double seconds) {
  return pg::input_value(INTERVALOID, std::to_string(seconds) + " seconds");
}

void refuse_on_standby(const char* what) {
  if (pg::guard([] { return RecoveryInProgress(); })) {
    throw Error(sqlstate::read_only_sql_transaction, std::string(what) + " on the primary only")
        .with_hint("On a standby, read a managed view like any table.");
  }
}

} // namespace

AUTOREPORT_FUNCTION(autoreport_create_view) {
  const std::string name = pg::text_arg(fcinfo, 0, "name");
  const std::string sql = pg::text_arg(fcinfo, 1, "query");
  const std::string refresh_mode = pg::text_arg(fcinfo, 2, "refresh");
  if (refresh_mode != "incremental" && refresh_mode != "immediate" && refresh_mode != "full") {
    throw Error(sqlstate::invalid_parameter_value, "refresh must be incremental, immediate or full")
        .with_detail("It was \"" + refresh_mode + "\".");
  }
  const ViewSchedule sched =
      PG_ARGISNULL(3) ? ViewSchedule{}
                      : view_schedule(pg::text_to_string(PG_GETARG_DATUM(3)), refresh_mode != "full");
  const std::optional<std::string>& schedule = sched.schedule;
  const std::optional<std::string>& zone = sched.zone;
  refuse_on_standby("managed views are created");

  struct Target {
    char* schema;
    char* rel;
  };
  const Target target = pg::guard([&] {
    RangeVar* rv = makeRangeVarFromNameList(stringToQualifiedNameList(name.c_str()));
    const Oid ns = RangeVarGetCreationNamespace(rv);
    return Target{get_namespace_name(ns), rv->relname};
  });
  const std::string table = pg::guard([&] { return quote_qualified_identifier(target.schema, target.rel); });

  Query* q = parse_query(sql);
  const Analysis a = analyze(q);
  const bool incremental = refresh_mode != "full";
  if (incremental && !a.incremental) {
    throw Error(sqlstate::feature_not_supported, a.refusal)
        .with_detail(a.refusal_detail)
        .with_hint(a.refusal_hint.empty() ? "Create the view with refresh => 'full', which accepts any query."
                                          : a.refusal_hint);
  }
  const Oid caller = GetUserId();
  if (incremental) {
    for (Oid s : std::set<Oid>(a.sources.begin(), a.sources.end())) {
      if (pg::guard([&] { return pg_class_aclcheck(s, caller, ACL_TRIGGER); }) != ACLCHECK_OK) {
        throw Error(sqlstate::insufficient_privilege,
                    "permission denied to capture the changes of table " + relation_name(s))
            .with_detail("An incremental view's changes are captured by triggers on its source tables.")
            .with_hint("The view's creator needs the TRIGGER privilege on each source (or to own it).");
      }
      if (pg::guard([&] { return check_enable_rls(s, InvalidOid, true); }) == RLS_ENABLED) {
        throw Error(sqlstate::feature_not_supported,
                    "table " + relation_name(s) +
                        " has row-level security, which incremental views do not support")
            .with_detail("Its captured changes would show the view's owner rows its policies hide.")
            .with_hint("Use refresh => 'full'.");
      }
    }
  }

  pg::SpiConnection spi;
  {
    pg::SettingScope path("search_path", "pg_catalog, pg_temp");
    if (incremental) {
      const Maintenance m(a.shape, table);
      // A tenth of each page left free: a refresh updates a group in place (a HOT update, no new index
      // entry) when its page has room.
      spi.execute("CREATE TABLE " + table + " (" + m.column_definitions() + ") WITH (fillfactor = 90)", {},
                  false);
      create_key_indexes(spi, table, a.shape, m);
    } else {
      std::string columns;
      for (const OutputColumn& c : a.output) {
        columns += (columns.empty() ? "" : ", ") + c.name + " " + c.type;
      }
      spi.execute("CREATE TABLE " + table + " (" + columns + ")", {}, false);
    }
  }
  const Oid relid = resolve_view_table(table);
  {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 9> row = {
        int8_param(relid),        int8_param(caller),   text_param(sql),  text_param(tree_to_text(q)),
        text_param(refresh_mode), text_param(schedule), text_param(zone), text_param(a.definition),
        text_param(here())};
    const int64_t id =
        *spi.execute("INSERT INTO autoreport.managed_view (relid, owner, query, tree, refresh, schedule, "
                     "time_zone, definition, origin, full_reason) VALUES ($1::oid, $2::oid::regrole, $3, $4, "
                     "$5, $6, $7, $8, $9, 'the first refresh') RETURNING id",
                     row, false)
             .integer(0, 0);
    for (size_t i = 0; i < a.sources.size(); ++i) {
      const std::array<pg::SpiParam, 3> s = {int8_param(id), int8_param(static_cast<int64_t>(i + 1)),
                                             int8_param(a.sources[i])};
      spi.execute(
          "INSERT INTO autoreport.view_source (view, position, source) VALUES ($1, $2::int4, $3::oid)", s,
          false);
    }
  }
  if (incremental) {
    std::map<Oid, std::set<AttrNumber>> columns;
    for (size_t i = 0; i < a.sources.size(); ++i) {
      columns[a.sources[i]].insert(a.columns[i].begin(), a.columns[i].end());
    }
    for (const auto& [source, atts] : columns) {
      ensure_capture(spi, source, std::vector<AttrNumber>(atts.begin(), atts.end()), caller);
    }
  }
  if (refresh_mode == "immediate") {
    wait_for_writers(a.sources);
  }
  refresh(spi, relid, "auto");
  if (schedule) {
    schedules::wake_scheduler_at_commit();
    if (!pg::preloaded()) {
      const std::string n = relation_name(relid);
      pg::guard([&] {
        ereport(WARNING,
                (errmsg("managed view %s will not refresh on its schedule until autoreport is preloaded",
                        n.c_str()),
                 errhint("Add autoreport to shared_preload_libraries and restart the server.")));
      });
    }
  }
  PG_RETURN_VOID();
}

AUTOREPORT_FUNCTION(autoreport_refresh_view) {
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  const std::string mode = pg::text_to_string(PG_GETARG_DATUM(1));
  if (mode != "auto" && mode != "incremental" && mode != "full") {
    throw Error(sqlstate::invalid_parameter_value, "mode must be auto, incremental or full")
        .with_detail("It was \"" + mode + "\".");
  }
  refuse_on_standby("managed views are refreshed");
  const Oid caller = GetUserId();
  const Oid relid = resolve_view_table(name);
  pg::SpiConnection spi;
  if (view_for_change(caller, relid, name, "refresh", false).refresh == "full" && mode == "incremental") {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "managed view \"" + name + "\" is refreshed in full (refresh => 'full')")
        .with_hint("Call refresh_view() with mode 'auto' or 'full'.");
  }
  // The managed views it reads, directly or not, are refreshed first, sources before readers and each
  // once; those the caller may not refresh are read as they are.
  std::vector<Oid> upstream;
  {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 1> view = {int8_param(relid)};
    if (*execute_at(
             InvalidSnapshot,
             "SELECT EXISTS (SELECT FROM autoreport.managed_view AS v JOIN autoreport.view_source AS s ON "
             "s.view = v.id JOIN autoreport.managed_view AS u ON u.relid = s.source WHERE v.relid = $1::oid)",
             view, false)
             .boolean(0, 0)) {
      const std::array<pg::SpiParam, 1> p = {int8_param(relid)};
      const pg::SpiResult r = execute_at(
          InvalidSnapshot,
          "WITH RECURSIVE up (id, relid, owner, depth) AS ("
          "  SELECT v.id, v.relid, v.owner, 0 FROM autoreport.managed_view AS v WHERE v.relid = $1::oid"
          "  UNION ALL SELECT u.id, u.relid, u.owner, up.depth + 1 FROM up"
          "  JOIN autoreport.view_source AS s ON s.view = up.id JOIN autoreport.managed_view AS u ON u.relid "
          "= "
          "s.source"
          "  WHERE up.depth < 64) CYCLE relid SET cycle USING path "
          "SELECT relid::bigint, owner::oid::bigint FROM up WHERE depth > 0 AND NOT cycle GROUP BY relid, "
          "owner "
          "ORDER BY max(depth) DESC",
          p, false);
      for (uint64_t i = 0; i < r.rows(); ++i) {
        const Oid owner = static_cast<Oid>(*r.integer(i, 1));
        if (pg::guard([&] { return has_privs_of_role(caller, owner); }) || reports::is_admin(caller)) {
          upstream.push_back(static_cast<Oid>(*r.integer(i, 0)));
        }
      }
    }
  }
  for (Oid u : upstream) {
    refresh(spi, u, mode == "full" ? "full" : "auto");
  }
  Outcome o = refresh(spi, relid, mode);
  if (!upstream.empty()) {
    o.reason += " (after refreshing " + std::to_string(upstream.size()) +
                (upstream.size() == 1 ? " managed view it reads)" : " managed views it reads)");
  }
  pg::TupleSink sink(fcinfo);
  const std::array<Datum, 4> values = {pg::string_to_text(o.mode), pg::string_to_text(o.reason),
                                       Int64GetDatum(o.rows), interval_seconds(o.seconds)};
  const std::array<bool, 4> nulls = {false, false, o.rows < 0, false};
  sink.put(values, nulls);
  return Datum(0);
}

AUTOREPORT_FUNCTION(autoreport_drop_view) {
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  const bool cascade = PG_GETARG_BOOL(1);
  refuse_on_standby("managed views are dropped");
  const Oid caller = GetUserId();
  const Oid relid = resolve_view_table(name);
  pg::SpiConnection spi;
  (void)view_for_change(caller, relid, name, "drop", false, "Drop an ordinary table with DROP TABLE.");
  drop_one(spi, relid, cascade);
  PG_RETURN_VOID();
}

AUTOREPORT_FUNCTION(autoreport_pending_changes) {
  const int64_t id = PG_GETARG_INT64(0);
  if (pg::guard([] { return RecoveryInProgress(); })) {
    PG_RETURN_NULL();
  }
  pg::SpiConnection spi;
  const Oid caller = GetUserId();
  reports::AsExtensionOwner as_extension;
  const std::array<pg::SpiParam, 1> p = {int8_param(id)};
  const pg::SpiResult r = spi.execute(
      std::string("SELECT ") + kViewColumns + " FROM autoreport.managed_view WHERE id = $1", p, true);
  if (r.rows() == 0) {
    PG_RETURN_NULL();
  }
  const ViewRow v = view_row(r, 0);
  if (!pg::guard([&] { return has_privs_of_role(caller, v.owner); }) && !reports::is_admin(caller)) {
    PG_RETURN_NULL();
  }
  if (v.origin != here()) {
    // Restored from a dump: what it includes is unknown until its first refresh takes it over.
    return pg::string_to_jsonb("{\"total\": 0, \"changes\": {}, \"restored\": true}");
  }
  if (v.refresh == "full") {
    PG_RETURN_NULL();
  }
  std::vector<Oid> sources;
  const pg::SpiResult s =
      spi.execute("SELECT source::bigint FROM autoreport.view_source WHERE view = $1", p, true);
  for (uint64_t i = 0; i < s.rows(); ++i) {
    sources.push_back(static_cast<Oid>(*s.integer(i, 0)));
  }
  HeldSnapshot snap;
  int64_t total = 0;
  std::optional<double> lag;
  std::string changes;
  for (const auto& [source, c] : pending(v, sources, snap.get(), true)) {
    total += c.changes;
    if (c.lag && (!lag || *c.lag > *lag)) {
      lag = c.lag;
    }
    const std::string table = relation_name(source);
    const char* key = pg::guard([&] {
      StringInfoData buf;
      initStringInfo(&buf);
      escape_json(&buf, table.c_str());
      return buf.data;
    });
    changes += (changes.empty() ? "" : ", ") + std::string(key) + ": " + std::to_string(c.changes);
  }
  // After a crash the unlogged logs (and the sentinel) are empty: the changes they held are unknown.
  const bool crashed =
      v.refresh == "incremental" &&
      *spi.execute("SELECT count(*) FROM autoreport.capture_sentinel", {}, true).integer(0, 0) == 0;
  std::string json = "{\"total\": " + std::to_string(total) + ", \"changes\": {" + changes + "}" +
                     (crashed ? ", \"crashed\": true" : "");
  if (lag) {
    json += ", \"lag_seconds\": " + std::to_string(*lag);
  }
  json += "}";
  return pg::string_to_jsonb(json);
}

namespace {

// Looks at view `id` (stored tree `tree`) again: broken (with why) when a table or column it reads
// is gone or changed type, not broken otherwise.
void recheck(pg::SpiConnection& spi, int64_t id, const std::string& tree) {
  std::optional<std::string> broken;
  std::optional<std::string> definition; // as renamed, kept for a restore of a dump (see views.sql)
  try {
    pg::subtransaction([&] { definition = analyze(tree_from_text(tree)).definition; });
  } catch (const Error& e) {
    if (e.sqlstate() != sqlstate::object_not_in_prerequisite_state) {
      throw;
    }
    broken = e.message();
  }
  const std::array<pg::SpiParam, 3> p = {int8_param(id), text_param(broken), text_param(definition)};
  spi.execute("UPDATE autoreport.managed_view SET broken = $2, definition = coalesce($3, definition) "
              "WHERE id = $1 AND (broken IS DISTINCT FROM $2 OR definition IS DISTINCT FROM coalesce($3, "
              "definition))",
              p, false);
}

// The views that read table `source`: id and stored tree. (Not those restored from a dump and not taken
// over yet: their trees name the OIDs of another database.)
std::vector<std::pair<int64_t, std::string>> readers(pg::SpiConnection& spi, Oid source) {
  const std::array<pg::SpiParam, 2> p = {int8_param(source), text_param(here())};
  const pg::SpiResult r = spi.execute("SELECT DISTINCT v.id, v.tree FROM autoreport.managed_view AS v JOIN "
                                      "autoreport.view_source AS s ON s.view = v.id WHERE s.source = $1::oid "
                                      "AND v.origin = $2",
                                      p, false);
  std::vector<std::pair<int64_t, std::string>> out;
  for (uint64_t i = 0; i < r.rows(); ++i) {
    out.emplace_back(*r.integer(i, 0), *r.text(i, 1));
  }
  return out;
}

} // namespace

// The event trigger of managed views. sql_drop: a view's table dropped with DROP TABLE leaves the
// catalog (and its sources' capture, when no other view needs it); views reading a dropped table or
// column are marked broken. ddl_command_end of ALTER TABLE: views reading the table are looked at again
// (a retyped column breaks them; a renamed one is followed).
AUTOREPORT_FUNCTION(autoreport_views_ddl) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo)) {
    throw Error("39P01", "views_ddl() must be called as an event trigger");
  }
  const EventTriggerData* data = reinterpret_cast<EventTriggerData*>(fcinfo->context);
  const std::string event = data->event;
  pg::SpiConnection spi;
  reports::AsExtensionOwner as_extension;
  // Inside DROP EXTENSION autoreport itself there is nothing left to maintain.
  if (spi.execute("SELECT pg_catalog.to_regclass('autoreport.managed_view') IS NULL", {}, false)
          .boolean(0, 0)
          .value_or(true)) {
    return PointerGetDatum(nullptr);
  }
  if (event == "sql_drop") {
    const pg::SpiResult r = spi.execute(
        "SELECT objid::bigint, objsubid, object_type, object_identity FROM "
        "pg_catalog.pg_event_trigger_dropped_objects() "
        "WHERE classid = 'pg_catalog.pg_class'::regclass AND object_type IN ('table', 'table column', "
        "'materialized view')",
        {}, false);
    struct Dropped {
      Oid relid;
      bool column;
      std::string identity;
    };
    std::vector<Dropped> dropped;
    for (uint64_t i = 0; i < r.rows(); ++i) {
      dropped.push_back({static_cast<Oid>(*r.integer(i, 0)), *r.text(i, 2) == "table column", *r.text(i, 3)});
    }
    for (const Dropped& d : dropped) {
      const std::array<pg::SpiParam, 1> p = {int8_param(d.relid)};
      if (d.column) {
        for (const auto& [id, tree] : readers(spi, d.relid)) {
          recheck(spi, id, tree);
        }
        continue;
      }
      const std::array<pg::SpiParam, 2> why = {
          int8_param(d.relid), text_param("table " + d.identity + ", which the view reads, was dropped")};
      spi.execute("UPDATE autoreport.managed_view AS v SET broken = $2 FROM autoreport.view_source AS s "
                  "WHERE s.view = v.id AND s.source = $1::oid",
                  why, false);
      // A view's own table: the view is gone; its sources' capture goes when no other view needs it.
      const pg::SpiResult sources =
          spi.execute("DELETE FROM autoreport.view_source AS s USING autoreport.managed_view AS v "
                      "WHERE s.view = v.id AND v.relid = $1::oid RETURNING s.source::bigint",
                      p, false);
      std::set<Oid> released;
      for (uint64_t i = 0; i < sources.rows(); ++i) {
        released.insert(static_cast<Oid>(*sources.integer(i, 0)));
      }
      spi.execute("DELETE FROM autoreport.managed_view WHERE relid = $1::oid", p, false);
      for (Oid s : released) {
        release_capture(spi, s);
        sync_flags(spi, s);
      }
      // A dropped source's log goes with it.
      if (spi.execute("DELETE FROM autoreport.capture WHERE source = $1::oid RETURNING 1", p, false).rows() >
          0) {
        spi.execute("DROP TABLE IF EXISTS " + log_name(d.relid), {}, false);
      }
    }
    return PointerGetDatum(nullptr);
  }
  const pg::SpiResult r =
      spi.execute("SELECT DISTINCT objid::bigint FROM pg_catalog.pg_event_trigger_ddl_commands() "
                  "WHERE classid = 'pg_catalog.pg_class'::regclass",
                  {}, false);
  for (uint64_t i = 0; i < r.rows(); ++i) {
    for (const auto& [id, tree] : readers(spi, static_cast<Oid>(*r.integer(i, 0)))) {
      recheck(spi, id, tree);
    }
  }
  return PointerGetDatum(nullptr);
}

namespace {

void warn_schedule_needs_preload(Oid relid) {
  schedules::wake_scheduler_at_commit();
  if (pg::preloaded()) {
    return;
  }
  const std::string n = relation_name(relid);
  pg::guard([&] {
    ereport(WARNING, (errmsg("managed view %s will not refresh on its schedule until autoreport is preloaded",
                             n.c_str()),
                      errhint("Add autoreport to shared_preload_libraries and restart the server.")));
  });
}

} // namespace

// autoreport.manage_view(matview regclass, schedule text DEFAULT NULL): an existing materialized view
// refreshed by autoreport (REFRESH MATERIALIZED VIEW, CONCURRENTLY when it can), in dependency order
// with the managed views it reads or that read it, on its schedule.
AUTOREPORT_FUNCTION(autoreport_manage_view) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "matview must not be null");
  }
  const Oid relid = PG_GETARG_OID(0);
  const Oid caller = GetUserId();
  refuse_on_standby("managed views are adopted");
  const char kind = pg::guard([&] { return get_rel_relkind(relid); });
  const std::string name = relation_name(relid);
  if (kind != RELKIND_MATVIEW) {
    throw Error(sqlstate::invalid_parameter_value, name + " is not a materialized view")
        .with_hint("Create a managed table with autoreport.create_view().");
  }
  if (!pg::guard([&] { return pg_class_ownercheck(relid, caller); })) {
    throw Error(sqlstate::insufficient_privilege, "must be owner of materialized view " + name)
        .with_detail("Refreshing a materialized view needs its ownership.");
  }
  const ViewSchedule sched =
      PG_ARGISNULL(1) ? ViewSchedule{} : view_schedule(pg::text_to_string(PG_GETARG_DATUM(1)), false);
  pg::SpiConnection spi;
  Query* q = matview_query(spi, relid);
  const Analysis a = analyze(q);
  const Oid owner = pg::guard([&] {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tup)) {
      elog(ERROR, "cache lookup failed for relation %u", relid);
    }
    const Oid o = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup))->relowner;
    ReleaseSysCache(tup);
    return o;
  });
  int64_t id = 0;
  {
    reports::AsExtensionOwner as_extension;
    if (find_view(relid, false)) {
      throw Error(sqlstate::duplicate_object, name + " is already managed");
    }
    const std::array<pg::SpiParam, 7> row = {int8_param(relid),          int8_param(owner),
                                             text_param(a.definition),   text_param(tree_to_text(q)),
                                             text_param(sched.schedule), text_param(sched.zone),
                                             text_param(here())};
    id = *spi.execute(
                 "INSERT INTO autoreport.managed_view (relid, owner, query, tree, refresh, kind, schedule, "
                 "time_zone, needs_full, full_reason, definition, origin) VALUES ($1::oid, $2::oid::regrole, "
                 "$3, $4, 'full', 'materialized view', $5, $6, false, NULL, $3, $7) RETURNING id",
                 row, false)
              .integer(0, 0);
  }
  record_sources(spi, id, a.sources);
  if (sched.schedule) {
    warn_schedule_needs_preload(relid);
  }
  PG_RETURN_VOID();
}

// autoreport.alter_view(name, refresh DEFAULT NULL, schedule DEFAULT NULL): NULL keeps what is there;
// schedule 'none' removes the schedule.
AUTOREPORT_FUNCTION(autoreport_alter_view) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "name must not be null");
  }
  const std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  const std::optional<std::string> new_refresh =
      PG_ARGISNULL(1) ? std::nullopt : std::optional<std::string>(pg::text_to_string(PG_GETARG_DATUM(1)));
  const std::optional<std::string> new_schedule =
      PG_ARGISNULL(2) ? std::nullopt : std::optional<std::string>(pg::text_to_string(PG_GETARG_DATUM(2)));
  if (new_refresh && *new_refresh != "incremental" && *new_refresh != "immediate" && *new_refresh != "full") {
    throw Error(sqlstate::invalid_parameter_value, "refresh must be incremental, immediate or full")
        .with_detail("It was \"" + *new_refresh + "\".");
  }
  refuse_on_standby("managed views are altered");
  const Oid caller = GetUserId();
  const Oid relid = resolve_view_table(name);
  pg::SpiConnection spi;
  std::optional<ViewRow> v = view_for_change(caller, relid, name, "alter", true);
  if (v->origin != here()) {
    reports::AsExtensionOwner as_extension;
    take_over(spi, *v); // restored from a dump
  }
  const std::string table = relation_name(relid);
  std::string refresh_mode = new_refresh.value_or(v->refresh);
  if (v->matview && refresh_mode != "full") {
    throw Error(sqlstate::invalid_parameter_value, "an adopted materialized view is refreshed in full")
        .with_hint("Create a managed table with autoreport.create_view() to maintain it incrementally.");
  }
  Query* q = tree_from_text(v->tree);
  const Analysis a = analyze(q);
  const bool was_captured = v->refresh != "full";
  const bool captured = refresh_mode != "full";
  if (captured != was_captured) {
    const Maintenance m(a.shape, table);
    if (captured) {
      if (!a.incremental) {
        throw Error(sqlstate::feature_not_supported, a.refusal)
            .with_detail(a.refusal_detail)
            .with_hint("The view stays refreshed in full.");
      }
      if (!pg::guard([&] { return pg_class_ownercheck(relid, caller); })) {
        throw Error(sqlstate::insufficient_privilege, "must be owner of table " + table);
      }
      for (Oid s : std::set<Oid>(a.sources.begin(), a.sources.end())) {
        if (pg::guard([&] { return pg_class_aclcheck(s, caller, ACL_TRIGGER); }) != ACLCHECK_OK) {
          throw Error(sqlstate::insufficient_privilege,
                      "permission denied to capture the changes of table " + relation_name(s))
              .with_hint("The view's owner needs the TRIGGER privilege on each source (or to own it).");
        }
        if (pg::guard([&] { return check_enable_rls(s, InvalidOid, true); }) == RLS_ENABLED) {
          throw Error(sqlstate::feature_not_supported,
                      "table " + relation_name(s) +
                          " has row-level security, which incremental views do not support");
        }
      }
      // The columns incremental maintenance keeps, and the index it merges on; the contents are then
      // recomputed in full.
      pg::SettingScope path("search_path", "pg_catalog, pg_temp");
      const std::vector<std::string> defs = m.column_definition_list();
      std::string add;
      for (size_t i = m.visible_columns(); i < defs.size(); ++i) {
        std::string def = defs[i];
        if (def.find(" NOT NULL") != std::string::npos && def.find("DEFAULT") == std::string::npos) {
          def += " DEFAULT 0";
        }
        add += (add.empty() ? "ADD COLUMN " : ", ADD COLUMN ") + def;
      }
      spi.execute("ALTER TABLE " + table + " " + add + ", SET (fillfactor = 90)", {}, false);
      create_key_indexes(spi, table, a.shape, m);
    } else {
      // Back to full: the hidden columns (and the indexes on them) go, and so does the capture.
      const std::vector<std::string> names = m.column_names();
      std::string drop;
      for (size_t i = m.visible_columns(); i < names.size(); ++i) {
        drop += (drop.empty() ? "DROP COLUMN " : ", DROP COLUMN ") + names[i];
      }
      if (!drop.empty()) {
        spi.execute("ALTER TABLE " + table + " " + drop + " CASCADE", {}, false);
      }
    }
  }
  const ViewSchedule sched = !new_schedule             ? ViewSchedule{}
                             : *new_schedule == "none" ? ViewSchedule{}
                                                       : view_schedule(*new_schedule, refresh_mode != "full");
  const bool keep_schedule = !new_schedule;
  if (keep_schedule && refresh_mode == "full") {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 1> p = {int8_param(v->id)};
    if (spi.execute("SELECT schedule = 'on change' FROM autoreport.managed_view WHERE id = $1", p, false)
            .boolean(0, 0)
            .value_or(false) &&
        !v->matview) {
      throw Error(sqlstate::invalid_parameter_value, "schedule 'on change' needs an incremental view")
          .with_hint("Give the view a cron schedule at the same time.");
    }
  }
  {
    reports::AsExtensionOwner as_extension;
    const std::array<pg::SpiParam, 5> p = {int8_param(v->id), text_param(refresh_mode),
                                           pg::SpiParam{BOOLOID, BoolGetDatum(keep_schedule), false},
                                           text_param(sched.schedule), text_param(sched.zone)};
    spi.execute("UPDATE autoreport.managed_view SET refresh = $2, "
                "schedule = CASE WHEN $3 THEN schedule ELSE $4 END, time_zone = CASE WHEN $3 THEN time_zone "
                "ELSE $5 END, "
                "needs_full = needs_full OR refresh <> $2, "
                "full_reason = CASE WHEN refresh <> $2 THEN 'the refresh mode changed' ELSE full_reason END "
                "WHERE id = $1",
                p, false);
  }
  // Capture follows the mode and the schedule.
  std::map<Oid, std::set<AttrNumber>> columns;
  for (size_t i = 0; i < a.sources.size(); ++i) {
    columns[a.sources[i]].insert(a.columns[i].begin(), a.columns[i].end());
  }
  for (const auto& [source, atts] : columns) {
    if (captured && !was_captured) {
      ensure_capture(spi, source, std::vector<AttrNumber>(atts.begin(), atts.end()), v->owner);
    } else if (!captured && was_captured) {
      release_capture(spi, source);
    }
    sync_flags(spi, source);
  }
  if (refresh_mode == "immediate" && v->refresh != "immediate") {
    wait_for_writers(a.sources);
  }
  if (refresh_mode != v->refresh) {
    refresh(spi, relid, "full");
  }
  if (sched.schedule) {
    warn_schedule_needs_preload(relid);
  }
  PG_RETURN_VOID();
}

namespace autoreport::views {

std::string relation_name(Oid relid) {
  const char* name = pg::guard([&] {
    const char* rel = get_rel_name(relid);
    if (rel == nullptr) {
      return static_cast<const char*>(nullptr);
    }
    return static_cast<const char*>(
        quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), rel));
  });
  return name ? name : "OID " + std::to_string(relid);
}

void apply_to_immediate_views(pg::SpiConnection& spi, const Written& written) {
  // One after the other in the order they were created (each waits for a concurrent writer's
  // transaction that applied changes to it to end). A broken view is left as it is: the changes stay
  // logged, and the write goes on.
  // (A view restored from a dump is left to the refresh that takes it over: taking it over here would
  // replace the capture triggers of the table this statement is writing.)
  const std::array<pg::SpiParam, 2> src = {int8_param(written.source), text_param(here())};
  const pg::SpiResult views =
      spi.execute("SELECT DISTINCT v.id, v.relid::bigint FROM autoreport.view_source AS s "
                  "JOIN autoreport.managed_view AS v ON v.id = s.view WHERE s.source = $1::oid "
                  "AND v.refresh = 'immediate' AND v.broken IS NULL AND v.origin = $2 ORDER BY v.id",
                  src, false);
  std::vector<Oid> relids;
  for (uint64_t i = 0; i < views.rows(); ++i) {
    relids.push_back(static_cast<Oid>(*views.integer(i, 1)));
  }
  for (Oid relid : relids) {
    refresh(spi, relid, "immediate", written);
  }
}

} // namespace autoreport::views
