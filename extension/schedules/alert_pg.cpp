// Checking an alert condition against a report's result columns, without running anything.
#include "schedules/alert_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
}

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

} // namespace autoreport::schedules
