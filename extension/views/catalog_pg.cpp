// The catalog of managed views: a view's row (found, and checked before a caller changes it), the
// database it was written in, its sources recorded, and a view restored from a dump of another database
// taken over; with the relation names and the standby check every function of views/ uses.
#include "views/catalog_pg.hpp"

#include "views/analyze_pg.hpp"
#include "views/capture_pg.hpp"
#include "views/statements_pg.hpp"

#include "common/settings_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
}

#include <array>
#include <map>
#include <set>

using namespace autoreport;
using namespace autoreport::views;
namespace pg = autoreport::pg;

namespace {

using pg::int8_param;
using pg::text_param;

// caller: the role that called the function (GetUserId() before any switch to another role).
void require_may_change(Oid caller, Oid owner, const std::string& name, const char* verb) {
  if (!pg::guard([&] { return has_privs_of_role(caller, owner); }) && !reports::is_admin(caller)) {
    throw Error(sqlstate::insufficient_privilege,
                std::string("permission denied to ") + verb + " managed view \"" + name + "\"")
        .with_detail("Only the view's owner and members of autoreport_admin may.");
  }
}

} // namespace

namespace autoreport::views {

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

// The managed view in table `relid` (called `name` by the caller), read as the extension's owner and
// row-locked when `lock`: 42704 (with `hint`, if any) when it is none, 42501 unless `caller` may `verb` it.
ViewRow view_for_change(Oid caller, Oid relid, const std::string& name, const char* verb, bool lock,
                        const char* hint) {
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

void refuse_on_standby(const char* what) {
  if (pg::guard([] { return RecoveryInProgress(); })) {
    throw Error(sqlstate::read_only_sql_transaction, std::string(what) + " on the primary only")
        .with_hint("On a standby, read a managed view like any table.");
  }
}

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

} // namespace autoreport::views
