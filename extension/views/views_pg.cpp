// Managed views: create_view(), drop_view(), manage_view(), alter_view() and the DDL event trigger.
// refresh_pg.cpp refreshes them, pending_pg.cpp counts the changes they have not applied, capture_pg.cpp
// captures the sources' changes, and catalog_pg.cpp holds what these files share.
//
// A view is an ordinary table owned by its creator (or, adopted by manage_view(), a materialized view).
// Checks run as the caller; the catalog and the logs are written as the extension's owner.
#include "views/analyze_pg.hpp"
#include "views/capture_pg.hpp"
#include "views/catalog_pg.hpp"
#include "views/refresh_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "common/time_zone_pg.hpp"
#include "reports/catalog_pg.hpp"
#include "schedules/cron.hpp"
#include "schedules/shared_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rls.h"
#include "utils/syscache.h"
}

#include <array>
#include <map>
#include <optional>
#include <set>
#include <vector>

using namespace autoreport;
using namespace autoreport::views;
namespace pg = autoreport::pg;

namespace {

using pg::int8_param;
using pg::text_param;

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
