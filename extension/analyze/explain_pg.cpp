// autoreport.explain(query, params, analyze): the plan read in plain words, with the fix for each
// finding. The plan comes from PostgreSQL's own EXPLAIN (FORMAT JSON, VERBOSE; with ANALYZE, also
// BUFFERS and timing), run as the caller; plan_rules.cpp reads what the plan shows by itself, and this
// file adds what needs the catalogs: sequential scans an index would serve (the index costed on a
// hypothetical index, as what_if() does), functions or casts that keep an existing index from a
// condition, stale statistics, and aggregates a managed view would serve.
#include "common/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "nodes/params.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

#include "analyze/analyze_pg.hpp"
#include "analyze/hypothetical_pg.hpp"
#include "analyze/plan_rules.hpp"
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/error.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "reports/binding_pg.hpp"
#include "reports/catalog_pg.hpp"
#include "reports/prepared_pg.hpp"
#include "reports/restricted_pg.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::analyze {

namespace {

// A selective filter: the rows it keeps are at most this share of the rows it reads.
constexpr double kSelective = 0.1;
// Tables smaller than this are read whole without a word.
constexpr double kSmallTable = 1000;
// An index is worth suggesting when it saves at least this share of the query's cost.
constexpr double kWorthwhile = 0.1;
// An aggregate over a table this large is worth a managed view.
constexpr double kLargeTable = 100000;

struct Prepared {
  RawStmt* stmt;
  Oid* types;
  int ntypes;
  ParamListInfo bound;
  bool writes;
};

// The statement, its parameters' types (as the query uses them) and values.
Prepared prepare(const char* query, const std::vector<std::optional<std::string>>& values) {
  Prepared p{};
  p.stmt = one_statement(query, "explain");
  Oid* types = nullptr;
  int ntypes = 0;
  List* queries = pg_analyze_and_rewrite_varparams(p.stmt, query, &types, &ntypes, nullptr);
  if (ntypes != static_cast<int>(values.size())) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("the query has %d parameters and params gives %d values", ntypes,
                           static_cast<int>(values.size())),
                    errhint("Pass params as a JSON array: its first value is $1.")));
  }
  ListCell* lc = nullptr;
  foreach (lc, queries) {
    const Query* q = lfirst_node(Query, lc);
    p.writes = p.writes || q->commandType != CMD_SELECT || q->hasModifyingCTE || q->rowMarks != NIL;
  }
  p.types = types;
  p.ntypes = ntypes;
  if (ntypes > 0) {
    p.bound = makeParamList(ntypes);
    p.bound->numParams = ntypes;
    for (int i = 0; i < ntypes; i++) {
      Oid type = types[i] == UNKNOWNOID ? TEXTOID : types[i];
      types[i] = type;
      ParamExternData& param = p.bound->params[i];
      param.ptype = type;
      param.pflags = PARAM_FLAG_CONST;
      param.isnull = !values[static_cast<size_t>(i)];
      param.value = 0;
      if (!param.isnull) {
        Oid input = InvalidOid;
        Oid ioparam = InvalidOid;
        getTypeInputInfo(type, &input, &ioparam);
        param.value = OidInputFunctionCall(input, const_cast<char*>(values[static_cast<size_t>(i)]->c_str()),
                                           ioparam, -1);
      }
    }
  }
  return p;
}

// A report's statement with its parameters bound (reports read only).
Prepared prepare_typed(const char* query, const std::vector<pg::SpiParam>& params) {
  Prepared p{};
  p.stmt = one_statement(query, "explain_report");
  p.ntypes = static_cast<int>(params.size());
  p.types = static_cast<Oid*>(palloc0(sizeof(Oid) * std::max<size_t>(params.size(), 1)));
  if (!params.empty()) {
    p.bound = makeParamList(p.ntypes);
    p.bound->numParams = p.ntypes;
    for (int i = 0; i < p.ntypes; i++) {
      const pg::SpiParam& v = params[static_cast<size_t>(i)];
      p.types[i] = v.type;
      p.bound->params[i] = ParamExternData{v.value, v.is_null, PARAM_FLAG_CONST, v.type};
    }
  }
  return p;
}

// EXPLAIN (FORMAT JSON, VERBOSE[, ANALYZE, BUFFERS]) of the prepared statement, as the caller.
char* explain(const char* query, const Prepared& p, bool analyze) {
  return explain_json(plan_query(query, p.types, p.ntypes, p.bound), query, p.bound, true, analyze, NIL);
}

Oid relation_oid(const std::string& schema, const std::string& name) {
  return pg::guard([&] {
    const Oid ns = schema.empty() ? InvalidOid : get_namespace_oid(schema.c_str(), true);
    return OidIsValid(ns) ? get_relname_relid(name.c_str(), ns) : RelnameGetRelid(name.c_str());
  });
}

double reltuples(Oid relid) {
  return pg::guard([&] {
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    double n = -1;
    if (HeapTupleIsValid(t)) {
      n = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->reltuples;
      ReleaseSysCache(t);
    }
    return n;
  });
}

// Whether an index of relid has `column` as its first key.
bool indexed_first(Oid relid, const std::string& column) {
  return pg::guard([&] {
    const AttrNumber att = get_attnum(relid, column.c_str());
    if (att == InvalidAttrNumber) {
      return false;
    }
    Relation rel = table_open(relid, AccessShareLock);
    List* indexes = RelationGetIndexList(rel);
    table_close(rel, AccessShareLock);
    bool found = false;
    ListCell* lc = nullptr;
    foreach (lc, indexes) {
      HeapTuple t = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
      if (HeapTupleIsValid(t)) {
        const Form_pg_index ix = reinterpret_cast<Form_pg_index>(GETSTRUCT(t));
        found = found || (ix->indnkeyatts > 0 && ix->indkey.values[0] == att);
        ReleaseSysCache(t);
      }
    }
    return found;
  });
}

std::string quoted(const std::string& identifier) {
  return pg::guard([&] { return quote_identifier(identifier.c_str()); });
}

std::string table_name(const std::string& schema, const std::string& name) {
  return schema.empty() ? quoted(name) : quoted(schema) + "." + quoted(name);
}

std::string fmt(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

// The findings that need the catalogs, added to r.
void catalog_findings(PlanReading& r, const std::string& query, const Prepared& p) {
  pg::SpiConnection spi;
  // Sequential scans with a selective filter an index would serve, proven on a hypothetical index.
  for (const ScanFact& f : r.seq_scans) {
    if (f.relation.empty() || f.conditions.empty()) {
      continue;
    }
    const Oid relid = relation_oid(f.schema, f.relation);
    const double rows = reltuples(relid);
    if (!OidIsValid(relid) || rows < kSmallTable) {
      continue;
    }
    const double kept = f.actual_rows ? *f.actual_rows : f.plan_rows;
    const double read = f.actual_rows && f.removed ? *f.actual_rows + *f.removed : rows;
    if (kept > kSelective * read) {
      continue;
    }
    std::vector<std::string> columns;
    for (const ColumnCondition& c : f.conditions) {
      if (c.equality && columns.size() < 3) {
        columns.push_back(c.column);
      }
    }
    for (const ColumnCondition& c : f.conditions) {
      if (!c.equality && columns.size() < 3) {
        columns.push_back(c.column);
        break;
      }
    }
    std::string list;
    for (const std::string& c : columns) {
      list += (list.empty() ? "" : ", ") + c;
    }
    const std::string index = "CREATE INDEX ON " + table_name(f.schema, f.relation) + " (" + list + ")";
    bool used = false;
    const std::array<double, 2> costs = pg::guard([&] {
      List* plans = plan_query(query.c_str(), p.types, p.ntypes, p.bound);
      const double before = total_cost(plans);
      const double after = cost_with_index(query.c_str(), p.types, p.ntypes, p.bound, index.c_str(), &used);
      return std::array<double, 2>{before, after};
    });
    if (!used || costs[1] > (1 - kWorthwhile) * costs[0]) {
      continue;
    }
    const double saving = 100 * (1 - costs[1] / costs[0]);
    r.findings.push_back(
        Finding{saving >= 50 ? "high" : "medium", f.node, "sequential scan with a selective filter",
                "reads " + fmt(read) + " rows of " + f.relation + " to keep " + fmt(kept) + " (" + f.filter +
                    "); with the index the query's cost falls from " + fmt(costs[0]) + " to " +
                    fmt(costs[1]) + " (-" + fmt(saving) + "%, what_if)",
                index});
  }
  // A function or cast around a column whose index could otherwise serve the condition.
  for (const WrappedColumn& w : r.wrapped) {
    const Oid relid = relation_oid(w.schema, w.relation);
    if (!OidIsValid(relid) || !indexed_first(relid, w.column)) {
      continue;
    }
    r.findings.push_back(Finding{
        "medium", w.node, "function or cast on an indexed column",
        "the condition on " + w.expression + " cannot use the index on " + w.column,
        "compare " + w.column + " itself (move the function or cast to the other side), or CREATE INDEX ON " +
            table_name(w.schema, w.relation) + " ((" + w.expression + "))"});
  }
  // Tables whose statistics are stale.
  for (const auto& [schema, name] : r.relations) {
    const Oid relid = relation_oid(schema, name);
    if (!OidIsValid(relid)) {
      continue;
    }
    const std::array<pg::SpiParam, 1> args = {pg::SpiParam{OIDOID, ObjectIdGetDatum(relid), false}};
    const pg::SpiResult s = spi.execute("SELECT n_live_tup::float8, n_mod_since_analyze::float8, "
                                        "GREATEST(last_analyze, last_autoanalyze)::text "
                                        "FROM pg_catalog.pg_stat_all_tables WHERE relid = $1",
                                        args, true);
    if (s.rows() == 0) {
      continue;
    }
    const double live = s.number(0, 0).value_or(0);
    const double modified = s.number(0, 1).value_or(0);
    const std::optional<std::string> last = s.text(0, 2);
    if (modified > 50 + 0.1 * live || (!last && live > 0)) {
      r.findings.push_back(Finding{
          "medium", name, "stale statistics",
          (last ? fmt(modified) + " rows changed since the last ANALYZE (" + *last + ") of " + fmt(live)
                : std::string("never analysed; ") + fmt(live) + " rows") +
              ": the planner's estimates for this table may be wrong",
          "ANALYZE " + table_name(schema, name)});
    }
  }
  // An aggregate over a large table: a managed view would serve it.
  if (r.aggregate_top && p.ntypes == 0) {
    double largest = 0;
    for (const auto& [schema, name] : r.relations) {
      const Oid relid = relation_oid(schema, name);
      if (OidIsValid(relid)) {
        largest = std::max(largest, reltuples(relid));
      }
    }
    if (largest >= kLargeTable) {
      r.findings.push_back(
          Finding{"info", r.top_node, "a managed view would serve this aggregate",
                  "it aggregates about " + fmt(largest) +
                      " rows at each call; a managed view keeps the result and applies only the changes",
                  "SELECT autoreport.create_view('" + r.relations.front().second + "_summary', $q$" + query +
                      "$q$)"});
    }
  }
}

int severity_rank(const std::string& s) {
  return s == "high" ? 0 : s == "medium" ? 1 : 2;
}

// While it lives, the transaction is read-only: the query EXPLAIN ANALYZE runs cannot write.
class ReadOnly {
public:
  ReadOnly() : saved_(XactReadOnly) { XactReadOnly = true; }
  ReadOnly(const ReadOnly&) = delete;
  ReadOnly& operator=(const ReadOnly&) = delete;
  ~ReadOnly() { XactReadOnly = saved_; }

private:
  bool saved_;
};

} // namespace

} // namespace autoreport::analyze

namespace autoreport::analyze {
namespace {

// The rows of explain() and explain_report(): the findings, most severe first, then the plan.
void explain_rows(FunctionCallInfo fcinfo, const std::string& query, const Prepared& prepared, bool analyze,
                  const std::string* report) {
  if (analyze && prepared.writes) {
    throw Error(sqlstate::read_only_sql_transaction,
                "explain(analyze => true) runs only queries that read: this one writes or locks rows")
        .with_hint("Call it with analyze => false for the plan without running it.");
  }
  // A report's query is planned (every time: planning may call functions) and run as a report is:
  // read-only, calling only trusted functions. Another query is run read-only when analysed.
  std::optional<reports::RestrictedScope> restricted;
  if (report != nullptr) {
    restricted.emplace(*report);
  }
  const char* json = nullptr;
  {
    std::optional<ReadOnly> read_only;
    if (analyze) {
      read_only.emplace();
    }
    json = pg::guard([&] { return explain(query.c_str(), prepared, analyze); });
  }
  PlanReading reading = read_plan(json, work_mem);
  catalog_findings(reading, query, prepared);
  restricted.reset();
  std::stable_sort(reading.findings.begin(), reading.findings.end(), [](const Finding& a, const Finding& b) {
    return severity_rank(a.severity) < severity_rank(b.severity);
  });
  reading.findings.push_back(Finding{"info", reading.top_node, "plan", json, {}});
  pg::TupleSink sink(fcinfo);
  for (const Finding& f : reading.findings) {
    const std::array<Datum, 5> row = {pg::string_to_text(f.severity), pg::string_to_text(f.node),
                                      pg::string_to_text(f.finding), pg::string_to_text(f.detail),
                                      f.fix.empty() ? Datum(0) : pg::string_to_text(f.fix)};
    const std::array<bool, 5> nulls = {false, false, false, false, f.fix.empty()};
    sink.put(row, nulls);
  }
}

bool analyze_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) {
    throw Error(sqlstate::invalid_parameter_value, "analyze must not be null");
  }
  return PG_GETARG_BOOL(n);
}

} // namespace
} // namespace autoreport::analyze

using namespace autoreport;

AUTOREPORT_FUNCTION(autoreport_explain) {
  const std::string query = pg::text_arg(fcinfo, 0, "query");
  std::vector<std::optional<std::string>> values;
  if (!PG_ARGISNULL(1)) {
    const nlohmann::json params = nlohmann::json::parse(pg::jsonb_to_string(PG_GETARG_DATUM(1)));
    if (!params.is_array()) {
      throw Error(sqlstate::invalid_parameter_value, "params must be a JSON array (its first value is $1)");
    }
    for (const nlohmann::json& v : params) {
      if (v.is_null()) {
        values.emplace_back(std::nullopt);
      } else if (v.is_string()) {
        values.emplace_back(v.get<std::string>());
      } else {
        values.emplace_back(v.dump());
      }
    }
  }
  const bool analyze = analyze::analyze_arg(fcinfo, 2);
  const analyze::Prepared prepared = pg::guard([&] { return analyze::prepare(query.c_str(), values); });
  analyze::explain_rows(fcinfo, query, prepared, analyze, nullptr);
  return static_cast<Datum>(0);
}

AUTOREPORT_FUNCTION(autoreport_explain_report) {
  const std::string name = pg::text_arg(fcinfo, 0, "name");
  const std::string params = PG_ARGISNULL(1) ? std::string("{}") : pg::jsonb_to_string(PG_GETARG_DATUM(1));
  const bool analyze = analyze::analyze_arg(fcinfo, 2);
  const reports::ReportVersion report = reports::load_report(name);
  reports::check_may_run(report);
  const reports::BoundParams bound = reports::bind_json(report, params);
  reports::SearchPathScope path(report.search_path);
  pg::SettingScope strings("standard_conforming_strings", report.standard_strings ? "on" : "off");
  const analyze::Prepared prepared =
      pg::guard([&] { return analyze::prepare_typed(report.bound_query.c_str(), bound.values); });
  analyze::explain_rows(fcinfo, report.bound_query, prepared, analyze, &report.name);
  return static_cast<Datum>(0);
}
