// Keeping report plans per backend and deciding whether their results may be cached.
#include "reports/prepared_pg.hpp"

#include "common/error.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/catalog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/plancache.h"
#include "utils/regproc.h"
#include "utils/typcache.h"
}

#include <map>
#include <set>
#include <string_view>
#include <tuple>

namespace autoreport::reports {

namespace {

// What the walk over a query found.
struct Walk {
  std::string reason;
  std::string hint;  // what the author can change, when there is something
  bool weak = false; // the reason is a stable function, which reading the clock below it explains better
  std::vector<Oid> tables;
  Oid acts = InvalidOid; // the first built-in function found that acts beyond reading
};

// Built-in functions that act beyond the query's own result, none of which a read-only transaction
// stops: they write large objects or server files, send notifications or WAL messages, change
// settings, sequences or session locks that outlive the report, signal or reconfigure the server,
// manage replication, or run SQL text the walk cannot see. A report reads; it never calls them.
bool acts_beyond_report(Oid fn, void* context) {
  if (fn >= FirstNormalObjectId || get_func_namespace(fn) != PG_CATALOG_NAMESPACE) {
    return false;
  }
  static const std::set<std::string, std::less<>> kActing = {
      // large objects and server files
      "lo_creat", "lo_create", "lo_export", "lo_from_bytea", "lo_import", "lo_put", "lo_truncate",
      "lo_truncate64", "lo_unlink", "lowrite",
      // messages out of the transaction
      "pg_notify", "pg_logical_emit_message",
      // session state that outlives the report
      "set_config", "setseed", "nextval", "setval", "pg_advisory_lock", "pg_advisory_lock_shared",
      "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_advisory_unlock",
      "pg_advisory_unlock_shared", "pg_advisory_unlock_all",
      // the server
      "pg_cancel_backend", "pg_terminate_backend", "pg_reload_conf", "pg_rotate_logfile",
      "pg_rotate_logfile_old", "pg_switch_wal", "pg_create_restore_point", "pg_promote",
      "pg_wal_replay_pause", "pg_wal_replay_resume", "pg_backup_start", "pg_backup_stop",
      "pg_log_backend_memory_contexts", "pg_stat_reset", "pg_stat_reset_shared",
      "pg_stat_reset_single_table_counters", "pg_stat_reset_single_function_counters", "pg_stat_reset_slru",
      "pg_stat_reset_replication_slot", "pg_stat_reset_subscription_stats", "pg_import_system_collations",
      "brin_summarize_new_values", "brin_summarize_range", "brin_desummarize_range", "gin_clean_pending_list",
      "pg_nextoid", "pg_stop_making_pinned_objects", "pg_extension_config_dump",
      // replication
      "pg_create_physical_replication_slot", "pg_create_logical_replication_slot", "pg_drop_replication_slot",
      "pg_copy_physical_replication_slot", "pg_copy_logical_replication_slot", "pg_replication_slot_advance",
      "pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes", "pg_replication_origin_create",
      "pg_replication_origin_drop", "pg_replication_origin_advance", "pg_replication_origin_session_setup",
      "pg_replication_origin_session_reset", "pg_replication_origin_xact_setup",
      "pg_replication_origin_xact_reset",
      // SQL text run inside the function, out of the walk's sight
      "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml",
      "cursor_to_xmlschema", "ts_stat", "ts_rewrite"};
  const char* name = get_func_name(fn);
  if (name == nullptr) {
    return false;
  }
  const std::string_view n(name);
  if (kActing.count(n) == 0 && !n.starts_with("binary_upgrade_")) {
    return false;
  }
  *static_cast<Oid*>(context) = fn;
  return true;
}

// A function whose result may change while the tables the cache watches do not: one not labelled
// immutable, or any function not built into PostgreSQL. A user's (or an extension's) IMMUTABLE label is
// a promise nobody checks: such a function may read a table the cache does not watch.
bool not_immutable(Oid fn, void* context) {
  if (fn >= FirstNormalObjectId || func_volatile(fn) != PROVOLATILE_IMMUTABLE) {
    *static_cast<Oid*>(context) = fn;
    return true;
  }
  return false;
}

// Notes the first reason the result may not be cached, and what would make it cacheable; later ones
// add nothing.
void refuse(Walk* w, std::string reason, std::string hint = {}, bool weak = false) {
  if (w->reason.empty() || (w->weak && !weak)) {
    w->reason = std::move(reason);
    w->hint = std::move(hint);
    w->weak = weak;
  }
}

constexpr const char* kRelativeHint =
    "Give the report a date parameter with a relative default instead (\"default\": \"today\"): it is "
    "resolved at each call, and results are cached per date.";

// The reason a built-in function that is not immutable keeps a report from the cache, and the fix.
void refuse_builtin(Walk* w, Oid fn) {
  const std::string name = get_func_name(fn);
  const std::string call = format_procedure(fn);
  if (func_volatile(fn) == PROVOLATILE_VOLATILE) {
    refuse(w, "it calls " + call + ", which is volatile (its result can change at every call)",
           name == "clock_timestamp" || name == "timeofday" ? kRelativeHint : "");
    return;
  }
  static const std::set<std::string> kClock = {"now", "statement_timestamp", "transaction_timestamp"};
  if (kClock.count(name) > 0) {
    refuse(w, "it calls " + call + ", which reads the time", kRelativeHint);
    return;
  }
  Oid result = InvalidOid;
  Oid* args = nullptr;
  int nargs = 0;
  result = get_func_signature(fn, &args, &nargs);
  bool takes_tz = result == TIMESTAMPTZOID;
  for (int i = 0; i < nargs; ++i) {
    takes_tz = takes_tz || args[i] == TIMESTAMPTZOID;
  }
  std::string hint;
  if (takes_tz && name == "date_trunc") {
    hint = "date_trunc on a date resolves to the timestamp with time zone variant, whose result depends on "
           "the session's TimeZone; convert the date to timestamp so that the immutable variant is used: "
           "date_trunc('month', d::timestamp).";
  } else if (takes_tz) {
    hint = "A date or timestamp became timestamp with time zone here, whose meaning depends on the "
           "session's TimeZone; convert it to timestamp without time zone (d::timestamp) so that the "
           "immutable variant is used.";
  }
  refuse(w,
         "it calls " + call +
             ", which is stable (its result depends on settings such as TimeZone or DateStyle)",
         hint, true);
}

void check_relation(Walk* w, RangeTblEntry* rte) {
  const char kind = get_rel_relkind(rte->relid);
  const char* name = get_rel_name(rte->relid);
  const std::string rel = name ? name : "?";
  if (rte->tablesample != nullptr) {
    refuse(w, "it samples table " + rel + " (TABLESAMPLE)");
  }
  switch (kind) {
  case RELKIND_RELATION:
  case RELKIND_PARTITIONED_TABLE:
    // A partitioned table is watched like any table, with its partitions (see cache::watch_tables).
    if (IsCatalogRelationOid(rte->relid)) {
      refuse(w, "it reads system catalog " + rel);
    } else if (get_rel_persistence(rte->relid) == RELPERSISTENCE_TEMP) {
      refuse(w, "it reads temporary table " + rel);
    } else {
      w->tables.push_back(rte->relid);
    }
    return;
  case RELKIND_FOREIGN_TABLE:
    refuse(w, "it reads foreign table " + rel);
    return;
  case RELKIND_MATVIEW:
    refuse(w, "it reads materialized view " + rel);
    return;
  case RELKIND_VIEW:
    return; // expanded by the rewriter: the tables behind it are walked
  default:
    refuse(w, "it reads " + rel + ", which is not a table");
  }
}

bool walker(Node* node, Walk* w) {
  if (node == nullptr) {
    return false;
  }
  if (IsA(node, Query)) {
    Query* q = reinterpret_cast<Query*>(node);
    ListCell* lc;
    foreach (lc, q->rtable) {
      RangeTblEntry* rte = lfirst_node(RangeTblEntry, lc);
      if (rte->rtekind == RTE_RELATION) {
        check_relation(w, rte);
      }
    }
    return query_tree_walker(q, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker)), w, 0);
  }
  if (IsA(node, SQLValueFunction)) {
    const SQLValueFunctionOp op = reinterpret_cast<SQLValueFunction*>(node)->op;
    if (op == SVFOP_CURRENT_DATE || op == SVFOP_CURRENT_TIME || op == SVFOP_CURRENT_TIME_N ||
        op == SVFOP_CURRENT_TIMESTAMP || op == SVFOP_CURRENT_TIMESTAMP_N || op == SVFOP_LOCALTIME ||
        op == SVFOP_LOCALTIME_N || op == SVFOP_LOCALTIMESTAMP || op == SVFOP_LOCALTIMESTAMP_N) {
      refuse(w, "it reads the time (CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP...)", kRelativeHint);
    } else if (op != SVFOP_CURRENT_ROLE && op != SVFOP_CURRENT_USER && op != SVFOP_USER) {
      refuse(w, "it reads the session (session_user, current_schema...)");
    }
  } else if (IsA(node, NextValueExpr)) {
    refuse(w, "it draws from a sequence");
  } else if (IsA(node, CoerceToDomain) &&
             DomainHasConstraints(reinterpret_cast<CoerceToDomain*>(node)->resulttype)) {
    // Its CHECK constraints run functions this walk does not see.
    refuse(w, "it converts to domain " +
                  std::string(format_type_be(reinterpret_cast<CoerceToDomain*>(node)->resulttype)) +
                  ", whose constraints may call any function");
  } else {
    if (!OidIsValid(w->acts)) {
      check_functions_in_node(node, acts_beyond_report, &w->acts);
    }
    Oid user_function = InvalidOid;
    if (check_functions_in_node(node, not_immutable, &user_function)) {
      if (OidIsValid(user_function) && user_function < FirstNormalObjectId) {
        refuse_builtin(w, user_function);
      } else if (OidIsValid(user_function)) {
        refuse(w,
               "it calls function " + std::string(format_procedure(user_function)) +
                   ", which is not built into PostgreSQL (its IMMUTABLE label cannot be trusted: it may read "
                   "tables the cache does not watch)");
      } else {
        refuse(w, "it calls a function that is not immutable (its result can change with time, settings or "
                  "data)");
      }
    }
  }
  return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker)), w);
}

struct Key {
  std::string name;
  int version;
  Oid role;
  std::string search_path;
  bool operator<(const Key& o) const {
    return std::tie(name, version, role, search_path) < std::tie(o.name, o.version, o.role, o.search_path);
  }
};

std::map<Key, PreparedReport> g_plans; // this backend's kept plans

} // namespace

PreparedReport analyse_plan(SPIPlanPtr plan) {
  PreparedReport p;
  p.plan = plan;
  Walk w;
  List* sources = pg::guard([&] { return SPI_plan_get_plan_sources(plan); });
  ListCell* lc;
  foreach (lc, sources) {
    CachedPlanSource* source = static_cast<CachedPlanSource*>(lfirst(lc));
    ListCell* qc;
    foreach (qc, source->query_list) {
      pg::guard([&] { walker(static_cast<Node*>(lfirst(qc)), &w); });
    }
  }
  foreach (lc, sources) {
    CachedPlanSource* source = static_cast<CachedPlanSource*>(lfirst(lc));
    char* text = pg::guard([&] { return nodeToString(source->query_list); });
    p.rewritten += text;
    pfree(text);
  }
  p.cacheable = w.reason.empty();
  p.not_cacheable_because = w.reason;
  p.not_cacheable_hint = w.hint;
  p.acting_function = w.acts;
  std::sort(w.tables.begin(), w.tables.end());
  w.tables.erase(std::unique(w.tables.begin(), w.tables.end()), w.tables.end());
  p.tables = std::move(w.tables);
  return p;
}

namespace {
bool permission_walker(Node* node, void* context) {
  if (node == nullptr) {
    return false;
  }
  if (IsA(node, Query)) {
    Query* q = reinterpret_cast<Query*>(node);
    ExecCheckRTPerms(q->rtable, true);
    return query_tree_walker(q, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(permission_walker)),
                             context, 0);
  }
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(permission_walker)), context);
}
} // namespace

void check_reads_only(const PreparedReport& prepared, const std::string& report) {
  if (!OidIsValid(prepared.acting_function)) {
    return;
  }
  const char* name = pg::guard([&] { return format_procedure(prepared.acting_function); });
  const std::string fn(name);
  throw Error(sqlstate::insufficient_privilege, "report \"" + report + "\" may not call function " + fn)
      .with_detail("A report only reads: " + fn +
                   " acts beyond its result (it writes, signals, changes session state or runs SQL text), "
                   "and would do so with the rights of whoever runs the report.")
      .with_hint("Remove the call from the report's query, its views and policies.");
}

void check_permissions(const PreparedReport& prepared) {
  List* sources = pg::guard([&] { return SPI_plan_get_plan_sources(prepared.plan); });
  ListCell* lc;
  foreach (lc, sources) {
    CachedPlanSource* source = static_cast<CachedPlanSource*>(lfirst(lc));
    ListCell* qc;
    foreach (qc, source->query_list) {
      pg::guard([&] { permission_walker(static_cast<Node*>(lfirst(qc)), nullptr); });
    }
  }
}

TupleDesc plan_result_desc(SPIPlanPtr plan) {
  List* sources = pg::guard([&] { return SPI_plan_get_plan_sources(plan); });
  return static_cast<CachedPlanSource*>(linitial(sources))->resultDesc;
}

const PreparedReport& prepared_report(const ReportVersion& report, pg::SpiConnection& spi) {
  const Key key{report.name, report.version, GetUserId(), report.search_path};
  auto it = g_plans.find(key);
  if (it != g_plans.end()) {
    if (pg::guard([&] { return SPI_plan_is_valid(it->second.plan); })) {
      return it->second;
    }
    SPIPlanPtr stale = it->second.plan;
    g_plans.erase(it);
    pg::guard([&] { SPI_freeplan(stale); });
  }
  const std::vector<Oid> types = param_types(report.params);
  SPIPlanPtr plan = spi.prepare_kept(report.bound_query, types);
  PreparedReport analysed;
  try {
    analysed = analyse_plan(plan);
  } catch (...) {
    pg::guard([&] { SPI_freeplan(plan); });
    throw;
  }
  return g_plans.emplace(key, std::move(analysed)).first->second;
}

} // namespace autoreport::reports
