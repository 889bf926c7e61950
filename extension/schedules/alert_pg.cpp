// An alert condition: checked against a report's result columns without running anything, and
// evaluated over a run's rows, registered as an ephemeral named relation that is all it can read.
#include "schedules/alert_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/settings_pg.hpp"
#include "common/spi_pg.hpp"
#include "schedules/alert_detail.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/queryenvironment.h"
}

#include <algorithm>
#include <cstring>

namespace autoreport::schedules {

namespace {

struct Analysis {
  const char* problem; // why the condition is refused, or nullptr
  bool aggregate;
  Oid type;
};

// Parses and analyses the query around the condition (nothing is planned or run) and says what is
// wrong with it. Runs under guard(): no C++ object lives here.
Analysis analyse(const char* sql) {
  List* raw = pg_parse_query(sql);
  if (list_length(raw) != 1) {
    return {"it is not one expression", false, InvalidOid};
  }
  Query* q = parse_analyze_fixedparams(linitial_node(RawStmt, raw), sql, nullptr, 0, nullptr);
  if (q->commandType != CMD_SELECT || q->utilityStmt != nullptr || list_length(q->targetList) != 1 ||
      list_length(q->rtable) != 1 || q->jointree == nullptr || list_length(q->jointree->fromlist) != 1 ||
      q->jointree->quals != nullptr || q->groupClause != NIL || q->groupingSets != NIL ||
      q->havingQual != nullptr || q->sortClause != NIL || q->limitCount != nullptr ||
      q->limitOffset != nullptr || q->distinctClause != NIL || q->cteList != NIL ||
      q->setOperations != nullptr || q->windowClause != NIL || q->rowMarks != NIL) {
    return {"it is not one expression over the result's columns", false, InvalidOid};
  }
  const RangeTblEntry* rte = linitial_node(RangeTblEntry, q->rtable);
  if (rte->rtekind != RTE_SUBQUERY || rte->subquery == nullptr || rte->subquery->rtable != NIL) {
    return {"it reads more than the result's columns", false, InvalidOid};
  }
  if (q->hasSubLinks) {
    return {"it contains a subquery; it may read only the result's columns", false, InvalidOid};
  }
  if (q->hasTargetSRFs) {
    return {"it calls a set-returning function", false, InvalidOid};
  }
  if (q->hasWindowFuncs) {
    return {"it calls a window function", false, InvalidOid};
  }
  const TargetEntry* tle = linitial_node(TargetEntry, q->targetList);
  if (contain_mutable_functions(reinterpret_cast<Node*>(tle->expr))) {
    return {"it calls a function or operator that is not immutable", false, InvalidOid};
  }
  return {nullptr, q->hasAggs, exprType(reinterpret_cast<Node*>(tle->expr))};
}

std::string qualified_type(Oid type, int32 typmod) {
  return pg::guard([&] {
    return format_type_extended(type, typmod, FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
  });
}

std::string quote_ident(const std::string& name) {
  return pg::guard([&] { return quote_identifier(name.c_str()); });
}

// ---- evaluation ----------------------------------------------------------------------------------

// A condition evaluate_alert() refuses to run (22023), told apart from an error while it runs.
struct Refused : Error {
  using Error::Error;
};

// The name of the rows in the condition, as check_alert() names them too (result.revenue).
constexpr char kResultName[] = "result";
// The text before the condition in the queries built around it: locations in their parse trees minus
// this length are offsets in the condition.
constexpr std::string_view kConditionPrefix = "SELECT (";

// Why a query built around the condition is not the query evaluate_alert() built: `targets` output
// columns, a WHERE clause when `quals`, over the registered rows only, calling only immutable
// functions; nullptr when it is. Runs under guard().
const char* shape_problem(const Query* q, int targets, bool quals) {
  if (q->commandType != CMD_SELECT || q->utilityStmt != nullptr || list_length(q->targetList) != targets ||
      q->jointree == nullptr || list_length(q->jointree->fromlist) != 1 ||
      (q->jointree->quals != nullptr) != quals || q->groupClause != NIL || q->groupingSets != NIL ||
      q->havingQual != nullptr || q->sortClause != NIL || q->limitCount != nullptr ||
      q->limitOffset != nullptr || q->distinctClause != NIL || q->cteList != NIL ||
      q->setOperations != nullptr || q->windowClause != NIL || q->rowMarks != NIL || q->hasModifyingCTE) {
    return "it is not one expression over the result's columns";
  }
  if (list_length(q->rtable) != 1) {
    return "it reads more than the result's columns";
  }
  const RangeTblEntry* rte = linitial_node(RangeTblEntry, q->rtable);
  if (rte->rtekind != RTE_NAMEDTUPLESTORE || rte->enrname == nullptr ||
      strcmp(rte->enrname, kResultName) != 0) {
    return "it reads more than the result's columns";
  }
  if (q->hasSubLinks) {
    return "it contains a subquery; it may read only the result's columns";
  }
  if (q->hasTargetSRFs) {
    return "it calls a set-returning function";
  }
  if (q->hasWindowFuncs) {
    return "it calls a window function";
  }
  if (contain_mutable_functions(reinterpret_cast<Node*>(q->targetList)) ||
      contain_mutable_functions(q->jointree->quals)) {
    return "it calls a function or operator that is not immutable";
  }
  return nullptr;
}

// Collects the location of every aggregate call (an int List), for aggregates_as_written().
bool collect_aggregates(Node* node, List** locations) {
  if (node == nullptr) {
    return false;
  }
  if (IsA(node, Aggref)) {
    *locations = lappend_int(*locations, castNode(Aggref, node)->location);
    return false; // aggregates do not nest
  }
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_aggregates)), locations);
}

// A statement prepared over the registered rows and checked, before it runs, to be what it was built
// to be: whatever the condition's text holds, it can only be an expression over those rows.
struct Checked {
  SPIPlanPtr plan = nullptr;
  List* aggregates = NIL; // locations of the aggregate calls of the first output column
};

Checked prepare_checked(const std::string& condition, const std::string& sql, int targets, bool quals) {
  const char* problem = nullptr;
  Checked c;
  {
    pg::MemoryContextSwitch keep(CurrentMemoryContext);
    c = pg::guard([&] {
      Checked out;
      out.plan = SPI_prepare(sql.c_str(), 0, nullptr);
      if (out.plan == nullptr) {
        problem = "it could not be prepared";
        return out;
      }
      List* sources = SPI_plan_get_plan_sources(out.plan);
      const CachedPlanSource* source =
          list_length(sources) == 1 ? static_cast<const CachedPlanSource*>(linitial(sources)) : nullptr;
      if (source == nullptr || list_length(source->query_list) != 1) {
        problem = "it is not one expression over the result's columns";
        return out;
      }
      const Query* q = linitial_node(Query, source->query_list);
      problem = shape_problem(q, targets, quals);
      if (problem == nullptr) {
        collect_aggregates(reinterpret_cast<Node*>(linitial_node(TargetEntry, q->targetList)->expr),
                           &out.aggregates);
      }
      return out;
    });
  }
  if (problem != nullptr) {
    throw Refused(sqlstate::invalid_parameter_value,
                  "invalid alert condition \"" + condition + "\": " + problem);
  }
  return c;
}

// Runs a checked plan, read-only, for at most `limit` rows (0: all).
pg::SpiResult run(SPIPlanPtr plan, int64_t limit) {
  pg::MemoryContextSwitch keep(CurrentMemoryContext);
  const int rc =
      pg::guard([&] { return SPI_execute_plan(plan, nullptr, nullptr, true, static_cast<long>(limit)); });
  if (rc != SPI_OK_SELECT) {
    throw Error(sqlstate::internal_error, "SPI could not evaluate the alert condition")
        .with_detail(SPI_result_code_string(rc));
  }
  return pg::SpiResult(SPI_tuptable, SPI_processed, rc);
}

// A value of a finding, with the JSON kind its type calls for.
AlertValue alert_value(const pg::SpiResult& r, uint64_t row, int column) {
  bool is_null = false;
  const Datum d = r.datum(row, column, &is_null);
  if (is_null) {
    return {};
  }
  const Oid type = r.column_type(column);
  AlertValue v;
  switch (pg::guard([&] { return getBaseType(type); })) {
  case INT2OID:
  case INT4OID:
  case INT8OID:
  case OIDOID:
  case FLOAT4OID:
  case FLOAT8OID:
  case NUMERICOID:
    v.kind = AlertValue::Kind::number;
    break;
  case BOOLOID:
    v.kind = AlertValue::Kind::boolean;
    break;
  default:
    v.kind = pg::guard([&] { return get_element_type(type); }) != InvalidOid ? AlertValue::Kind::array
                                                                             : AlertValue::Kind::text;
  }
  v.text = pg::output_value(type, d);
  return v;
}

std::string wrapped(const std::string& condition) {
  return std::string(kConditionPrefix) + condition + "\n)";
}

// Row scope: how many rows match, and the first of them.
AlertFinding evaluate_rows(const std::string& condition, int columns) {
  const std::string where = std::string(" FROM ") + kResultName + " WHERE (" + condition + "\n)";
  const Checked count = prepare_checked(condition, "SELECT count(*)" + where, 1, true);
  const pg::SpiResult counted = run(count.plan, 0);
  const uint64_t matching = static_cast<uint64_t>(counted.integer(0, 0).value_or(0));
  AlertFinding f;
  if (matching == 0) {
    return f;
  }
  f.held = true;
  const Checked sample = prepare_checked(condition, "SELECT *" + where, columns, true);
  const pg::SpiResult rows = run(sample.plan, kMaxAlertSampleRows);
  std::vector<AlertRow> shown;
  for (uint64_t r = 0; r < rows.rows(); ++r) {
    AlertRow row;
    for (int c = 0; c < rows.columns(); ++c) {
      row.emplace_back(rows.column_name(c), alert_value(rows, r, c));
    }
    shown.push_back(std::move(row));
  }
  f.detail_json = row_detail_json(matching, shown);
  return f;
}

// Result scope: whether the condition holds over all rows, and the value of each aggregate in it.
AlertFinding evaluate_result(const std::string& condition) {
  const std::string from = std::string("\nFROM ") + kResultName;
  const Checked alone = prepare_checked(condition, wrapped(condition) + from, 1, false);
  // Each aggregate as written (in the order written, once each), from its location in the parse tree.
  std::vector<int> locations;
  for (int i = 0; i < list_length(alone.aggregates); ++i) {
    locations.push_back(list_nth_int(alone.aggregates, i));
  }
  std::sort(locations.begin(), locations.end());
  std::vector<std::string> aggregates;
  for (const int location : locations) {
    const long offset = static_cast<long>(location) - static_cast<long>(kConditionPrefix.size());
    if (offset < 0 || static_cast<size_t>(offset) >= condition.size()) {
      continue;
    }
    const std::optional<size_t> end = call_end(condition, static_cast<size_t>(offset));
    if (!end) {
      continue;
    }
    std::string text = condition.substr(static_cast<size_t>(offset), *end - static_cast<size_t>(offset));
    if (std::find(aggregates.begin(), aggregates.end(), text) == aggregates.end()) {
      aggregates.push_back(std::move(text));
    }
  }
  std::string sql = wrapped(condition);
  for (const std::string& a : aggregates) {
    sql += ",\n" + a;
  }
  const Checked with_values =
      prepare_checked(condition, sql + from, 1 + static_cast<int>(aggregates.size()), false);
  const pg::SpiResult r = run(with_values.plan, 0);
  AlertFinding f;
  f.held = r.rows() == 1 && r.boolean(0, 0).value_or(false);
  if (f.held) {
    std::vector<std::pair<std::string, AlertValue>> values;
    for (size_t i = 0; i < aggregates.size(); ++i) {
      values.emplace_back(aggregates[i], alert_value(r, 0, static_cast<int>(i) + 1));
    }
    f.detail_json = result_detail_json(values);
  }
  return f;
}

// Makes `rows` the relation `result` of the statements run through the current SPI connection.
void register_rows(TupleDesc desc, Tuplestorestate* rows) {
  pg::MemoryContextSwitch keep(CurrentMemoryContext);
  const int rc = pg::guard([&] {
    auto* enr = static_cast<EphemeralNamedRelation>(palloc0(sizeof(EphemeralNamedRelationData)));
    enr->md.name = pstrdup(kResultName);
    enr->md.reliddesc = InvalidOid;
    enr->md.tupdesc = desc;
    enr->md.enrtype = ENR_NAMED_TUPLESTORE;
    enr->md.enrtuples = static_cast<double>(tuplestore_tuple_count(rows));
    enr->reldata = rows;
    return SPI_register_relation(enr);
  });
  if (rc != SPI_OK_REL_REGISTER) {
    throw Error(sqlstate::internal_error, "could not register the rows of the alert")
        .with_detail(SPI_result_code_string(rc));
  }
}

} // namespace

std::string check_alert(const std::string& condition, const std::vector<reports::ResultColumn>& columns) {
  // The condition's own text ends with a line break, so that a trailing -- comment cannot swallow the
  // closing parenthesis; anything that escapes the parentheses is caught by the analysis.
  std::string sql = "SELECT (" + condition + "\n) FROM (SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", NULL::" : "NULL::") + qualified_type(columns[i].type, columns[i].typmod) + " AS " +
           quote_ident(columns[i].name);
  }
  sql += ") AS result";
  Analysis a{};
  try {
    // Names resolve in pg_catalog only (or schema-qualified), whatever the caller's search_path.
    pg::SettingScope path("search_path", "pg_catalog, pg_temp");
    pg::subtransaction([&] { a = pg::guard([&] { return analyse(sql.c_str()); }); });
  } catch (const Error& e) {
    throw Error(sqlstate::invalid_parameter_value,
                "invalid alert condition \"" + condition + "\": " + e.message())
        .with_hint("An alert is a boolean SQL expression over the report's columns, per row (revenue < 1000) "
                   "or over the whole result (count(*) > 0).");
  }
  if (a.problem == nullptr && a.type != BOOLOID) {
    throw Error(sqlstate::invalid_parameter_value, "invalid alert condition \"" + condition +
                                                       "\": it is of type " + qualified_type(a.type, -1) +
                                                       ", not boolean");
  }
  if (a.problem != nullptr) {
    throw Error(sqlstate::invalid_parameter_value,
                "invalid alert condition \"" + condition + "\": " + a.problem)
        .with_hint("An alert is a boolean SQL expression over the report's columns, per row (revenue < 1000) "
                   "or over the whole result (count(*) > 0), calling only immutable functions.");
  }
  return a.aggregate ? "result" : "row";
}

AlertFinding evaluate_alert(const std::string& condition, const std::string& scope, TupleDesc desc,
                            Tuplestorestate* rows) {
  if (scope != "row" && scope != "result") {
    throw Error(sqlstate::invalid_parameter_value, "unknown alert scope \"" + scope + "\"")
        .with_hint("The scope is \"row\" or \"result\", as check_alert() says.");
  }
  int columns = 0;
  for (int i = 0; i < desc->natts; ++i) {
    columns += TupleDescAttr(desc, i)->attisdropped ? 0 : 1;
  }
  AlertFinding f;
  try {
    pg::SettingScope path("search_path", "pg_catalog, pg_temp");
    pg::subtransaction([&] {
      pg::SpiConnection spi;
      register_rows(desc, rows);
      f = scope == "row" ? evaluate_rows(condition, columns) : evaluate_result(condition);
    });
  } catch (const Refused&) {
    throw;
  } catch (const Error& e) {
    Error failed(e.sqlstate(), "alert condition \"" + condition + "\" failed: " + e.message());
    if (!e.detail().empty()) {
      failed.with_detail(e.detail());
    }
    if (!e.hint().empty()) {
      failed.with_hint(e.hint());
    }
    throw failed;
  }
  return f;
}

} // namespace autoreport::schedules
