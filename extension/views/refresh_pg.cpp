// Refreshing a managed view: refresh(), run by autoreport.refresh_view() (which the scheduler calls
// too), create_view() and alter_view(); and the `immediate` views' refresh in a writing statement.
//
// An incremental view's sources carry statement triggers (capture_pg.cpp) that append each statement's
// changed rows, with their transaction and command, to the source's unlogged log. A refresh reads, in
// one snapshot, the log rows its view has not applied yet and the sources, merges the delta into the
// table and records that snapshot as what the view now includes. Checks run as the caller; the catalog
// and the logs are written as the extension's owner; the view's own statements run as the view's owner,
// as REFRESH MATERIALIZED VIEW does.
#include "views/refresh_pg.hpp"

#include "views/analyze_pg.hpp"
#include "views/catalog_pg.hpp"
#include "views/pending_pg.hpp"
#include "views/statements_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/settings_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
}

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
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

} // namespace

namespace autoreport::views {

// Brings view v up to date, as described at the top of this file. mode: auto, incremental or full; or
// immediate: from the capture trigger of a writing statement, applying its changes (incremental).
Outcome refresh(pg::SpiConnection& spi, Oid relid, const std::string& mode,
                const std::optional<Written>& written) {
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

namespace {

Datum interval_seconds(double seconds) {
  return pg::input_value(INTERVALOID, std::to_string(seconds) + " seconds");
}

} // namespace

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
