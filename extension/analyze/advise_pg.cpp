// autoreport.advise(budget, queries): the indexes a workload needs, within a storage budget.
//
// The workload is the queries given, or the captured slow statements of this database that the caller
// may see (their sampled constants and parameters put back, weighted by calls). Each query is parsed
// and rewritten as the planner will see it; the columns it uses on each table (predicates against
// constants or outer references, join keys, GROUP BY, ORDER BY; through views, subqueries, CTEs and
// sublinks) give the candidates. advisor.hpp selects; this file answers its questions: a query's cost
// with some hypothetical indexes (plan_with), an index's size (estimate_bytes), and whether an index
// that exists already serves a candidate.
#include "common/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "storage/bufmgr.h"
#include "utils/syscache.h"
#include "access/table.h"
#include "access/stratnum.h"
}

#include "analyze/advisor.hpp"
#include "analyze/analyze_pg.hpp"
#include "analyze/hypothetical_pg.hpp"
#include "analyze/sql_text.hpp"
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/spi_pg.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace autoreport::analyze {

namespace {

constexpr int kMaxCaptured = 200; // the most costly captured statements make the workload

// A column a query uses (palloc'd, collected inside pg::guard).
struct Found {
  Oid table;
  int column;
  unsigned uses;
  int position;
};

// A column = constant predicate written in the query (palloc'd): a partial index's WHERE.
struct FoundPredicate {
  Oid table;
  int column;
  char* literal;
};

struct FoundList {
  Found* items;
  int count;
  int capacity;
  const char* text; // the query's text (constants are located in it)
  FoundPredicate* predicates;
  int npredicates;
  int cpredicates;
};

void note(FoundList* f, Oid table, int column, unsigned use, int position) {
  for (int i = 0; i < f->count; i++) {
    Found& x = f->items[i];
    if (x.table == table && x.column == column) {
      x.uses |= use;
      if (position > 0 && (x.position == 0 || position < x.position)) {
        x.position = position;
      }
      return;
    }
  }
  if (f->count == f->capacity) {
    f->capacity = f->capacity == 0 ? 16 : f->capacity * 2;
    f->items = static_cast<Found*>(f->items == nullptr ? palloc(sizeof(Found) * f->capacity)
                                                       : repalloc(f->items, sizeof(Found) * f->capacity));
  }
  f->items[f->count++] = Found{table, column, use, position};
}

// The table column an expression is, looking through joins' alias variables and subqueries' outputs.
bool resolve(Node* expr, Query* q, Oid* table, int* column) {
  check_stack_depth();
  while (expr != nullptr && IsA(expr, RelabelType)) {
    expr = reinterpret_cast<Node*>(reinterpret_cast<RelabelType*>(expr)->arg);
  }
  if (expr == nullptr || !IsA(expr, Var)) {
    return false;
  }
  const Var* v = reinterpret_cast<const Var*>(expr);
  if (v->varlevelsup != 0 || v->varattno <= 0 || v->varno < 1 ||
      v->varno > static_cast<int>(list_length(q->rtable))) {
    return false;
  }
  RangeTblEntry* rte = rt_fetch(v->varno, q->rtable);
  switch (rte->rtekind) {
  case RTE_RELATION:
    *table = rte->relid;
    *column = v->varattno;
    return true;
  case RTE_JOIN:
    if (v->varattno <= list_length(rte->joinaliasvars)) {
      return resolve(static_cast<Node*>(list_nth(rte->joinaliasvars, v->varattno - 1)), q, table, column);
    }
    return false;
  case RTE_SUBQUERY: {
    TargetEntry* tle = get_tle_by_resno(rte->subquery->targetList, v->varattno);
    return tle != nullptr && !tle->resjunk &&
           resolve(reinterpret_cast<Node*>(tle->expr), rte->subquery, table, column);
  }
  default:
    return false;
  }
}

// Whether the constant at `location` of the query text is written as a literal without a cast: a
// quoted string ('returned') or a number, not followed by ::type. A captured statement's bound
// parameters come back cast ('Asia'::text), so they are never taken for constants of the query.
bool plain_literal(const char* text, int location) {
  if (text == nullptr || location < 0 || location >= static_cast<int>(strlen(text))) {
    return false;
  }
  const char* p = text + location;
  if (*p == '\'') {
    for (++p; *p != '\0'; ++p) {
      if (*p == '\'') {
        if (p[1] != '\'') {
          break;
        }
        ++p;
      }
    }
    if (*p != '\'') {
      return false;
    }
    ++p;
  } else if (std::isdigit(static_cast<unsigned char>(*p)) || *p == '-' || *p == '.') {
    ++p;
    while (std::isalnum(static_cast<unsigned char>(*p)) || *p == '.' || *p == '_') {
      ++p;
    }
  } else {
    return false;
  }
  while (std::isspace(static_cast<unsigned char>(*p))) {
    ++p;
  }
  return !(p[0] == ':' && p[1] == ':');
}

// The constant as an SQL literal for a partial index's WHERE on a column of type `column_type`:
// bare for a number (as the query wrote it), quoted for a value of the column's type or a string
// compared with a string column, cast otherwise. Whether the planner proves the query implies it is
// for what-if planning to show: a partial index it cannot use saves nothing and is never suggested.
char* literal_of(const Const* c, Oid column_type) {
  Oid output = InvalidOid;
  bool varlena = false;
  getTypeOutputInfo(c->consttype, &output, &varlena);
  char* value = OidOutputFunctionCall(output, c->constvalue);
  const bool digits = value[0] != '\0' && strspn(value, "0123456789.-") == strlen(value);
  const bool bare =
      digits && (c->consttype == INT4OID || (c->consttype == NUMERICOID && strchr(value, '.')) ||
                 (c->consttype == INT8OID && c->consttype == column_type));
  if (bare) {
    return value;
  }
  char column_category = 0;
  bool preferred = false;
  get_type_category_preferred(column_type, &column_category, &preferred);
  if (c->consttype == column_type || (c->consttype == TEXTOID && column_category == TYPCATEGORY_STRING)) {
    return quote_literal_cstr(value);
  }
  return psprintf("%s::%s", quote_literal_cstr(value), format_type_be(c->consttype));
}

// Notes column = constant (an equality of a B-tree family, a constant written in the query).
void note_predicate(FoundList* f, Oid table, int column, Node* other) {
  while (other != nullptr && IsA(other, RelabelType)) {
    other = reinterpret_cast<Node*>(reinterpret_cast<RelabelType*>(other)->arg);
  }
  if (other == nullptr || !IsA(other, Const)) {
    return;
  }
  const Const* c = reinterpret_cast<const Const*>(other);
  if (c->constisnull || !plain_literal(f->text, c->location)) {
    return;
  }
  char* literal = literal_of(c, get_atttype(table, static_cast<AttrNumber>(column)));
  for (int i = 0; i < f->npredicates; i++) {
    const FoundPredicate& p = f->predicates[i];
    if (p.table == table && p.column == column && strcmp(p.literal, literal) == 0) {
      return;
    }
  }
  if (f->npredicates == f->cpredicates) {
    f->cpredicates = f->cpredicates == 0 ? 4 : f->cpredicates * 2;
    f->predicates = static_cast<FoundPredicate*>(
        f->predicates == nullptr ? palloc(sizeof(FoundPredicate) * f->cpredicates)
                                 : repalloc(f->predicates, sizeof(FoundPredicate) * f->cpredicates));
  }
  f->predicates[f->npredicates++] = FoundPredicate{table, column, literal};
}

// The B-tree strategy of an operator (0 when no B-tree family has it).
int btree_strategy(Oid opno) {
  List* interpretations = get_op_btree_interpretation(opno);
  if (interpretations == NIL) {
    return 0;
  }
  return static_cast<OpBtreeInterpretation*>(linitial(interpretations))->strategy;
}

unsigned use_of(int strategy) {
  switch (strategy) {
  case BTEqualStrategyNumber:
    return advisor::kEquality;
  case BTLessStrategyNumber:
  case BTLessEqualStrategyNumber:
  case BTGreaterEqualStrategyNumber:
  case BTGreaterStrategyNumber:
    return advisor::kRange;
  default:
    return 0;
  }
}

void note_use(FoundList* f, Oid table, int column, unsigned use) {
  if (use != 0) {
    note(f, table, column, use, 0);
  }
}

// Predicates of a WHERE or JOIN ... ON: column op constant (or outer reference), column = column.
void classify(Node* clause, Query* q, FoundList* f) {
  check_stack_depth();
  if (clause == nullptr) {
    return;
  }
  if (IsA(clause, List)) {
    ListCell* lc = nullptr;
    foreach (lc, reinterpret_cast<List*>(clause)) {
      classify(static_cast<Node*>(lfirst(lc)), q, f);
    }
  } else if (IsA(clause, BoolExpr)) {
    BoolExpr* b = reinterpret_cast<BoolExpr*>(clause);
    if (b->boolop != NOT_EXPR) {
      classify(reinterpret_cast<Node*>(b->args), q, f);
    }
  } else if (IsA(clause, OpExpr)) {
    OpExpr* op = reinterpret_cast<OpExpr*>(clause);
    if (list_length(op->args) != 2) {
      return;
    }
    Node* left = static_cast<Node*>(linitial(op->args));
    Node* right = static_cast<Node*>(lsecond(op->args));
    Oid lt = InvalidOid;
    Oid rt = InvalidOid;
    int lc = 0;
    int rc = 0;
    const bool l = resolve(left, q, &lt, &lc);
    const bool r = resolve(right, q, &rt, &rc);
    const int strategy = btree_strategy(op->opno);
    if (l && r) {
      if (strategy == BTEqualStrategyNumber) {
        note(f, lt, lc, advisor::kJoin, 0);
        note(f, rt, rc, advisor::kJoin, 0);
      }
    } else if (l && !contain_vars_of_level(right, 0)) {
      note_use(f, lt, lc, use_of(strategy));
      if (strategy == BTEqualStrategyNumber) {
        note_predicate(f, lt, lc, right);
      }
    } else if (r && !contain_vars_of_level(left, 0)) {
      note_use(f, rt, rc, use_of(strategy));
      if (strategy == BTEqualStrategyNumber) {
        note_predicate(f, rt, rc, left);
      }
    }
  } else if (IsA(clause, ScalarArrayOpExpr)) {
    ScalarArrayOpExpr* op = reinterpret_cast<ScalarArrayOpExpr*>(clause);
    Oid t = InvalidOid;
    int c = 0;
    if (op->useOr && list_length(op->args) == 2 && btree_strategy(op->opno) == BTEqualStrategyNumber &&
        resolve(static_cast<Node*>(linitial(op->args)), q, &t, &c) &&
        !contain_vars_of_level(static_cast<Node*>(lsecond(op->args)), 0)) {
      note(f, t, c, advisor::kEquality, 0);
    }
  }
}

void walk_query(Query* q, FoundList* f);

void walk_from(Node* node, Query* q, FoundList* f) {
  check_stack_depth();
  if (node == nullptr) {
    return;
  }
  if (IsA(node, FromExpr)) {
    FromExpr* from = reinterpret_cast<FromExpr*>(node);
    classify(from->quals, q, f);
    ListCell* lc = nullptr;
    foreach (lc, from->fromlist) {
      walk_from(static_cast<Node*>(lfirst(lc)), q, f);
    }
  } else if (IsA(node, JoinExpr)) {
    JoinExpr* join = reinterpret_cast<JoinExpr*>(node);
    classify(join->quals, q, f);
    walk_from(join->larg, q, f);
    walk_from(join->rarg, q, f);
  }
}

struct SublinkContext {
  FoundList* found;
};

bool find_sublinks(Node* node, void* context) {
  if (node == nullptr) {
    return false;
  }
  if (IsA(node, Query)) {
    return false; // walked where its SubLink is met
  }
  if (IsA(node, SubLink)) {
    SubLink* s = reinterpret_cast<SubLink*>(node);
    if (s->subselect != nullptr && IsA(s->subselect, Query)) {
      walk_query(reinterpret_cast<Query*>(s->subselect), static_cast<SublinkContext*>(context)->found);
    }
  }
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(find_sublinks)), context);
}

void note_clauses(List* clauses, Query* q, FoundList* f, unsigned use) {
  int position = 0;
  ListCell* lc = nullptr;
  foreach (lc, clauses) {
    position++;
    SortGroupClause* sgc = lfirst_node(SortGroupClause, lc);
    TargetEntry* tle = get_sortgroupclause_tle(sgc, q->targetList);
    Oid t = InvalidOid;
    int c = 0;
    if (resolve(reinterpret_cast<Node*>(tle->expr), q, &t, &c)) {
      note(f, t, c, use, position);
    }
  }
}

void walk_query(Query* q, FoundList* f) {
  check_stack_depth();
  walk_from(reinterpret_cast<Node*>(q->jointree), q, f);
  note_clauses(q->groupClause, q, f, advisor::kGroup);
  note_clauses(q->sortClause, q, f, advisor::kOrder);
  ListCell* lc = nullptr;
  foreach (lc, q->rtable) {
    RangeTblEntry* rte = lfirst_node(RangeTblEntry, lc);
    if (rte->rtekind == RTE_SUBQUERY && rte->subquery != nullptr) {
      walk_query(rte->subquery, f);
    }
  }
  foreach (lc, q->cteList) {
    CommonTableExpr* cte = lfirst_node(CommonTableExpr, lc);
    if (cte->ctequery != nullptr && IsA(cte->ctequery, Query)) {
      walk_query(reinterpret_cast<Query*>(cte->ctequery), f);
    }
  }
  SublinkContext context{f};
  find_sublinks(reinterpret_cast<Node*>(q->jointree), &context);
  find_sublinks(reinterpret_cast<Node*>(q->targetList), &context);
  find_sublinks(q->havingQual, &context);
}

// Whether advise may suggest an index on the table: a table or materialized view of the user's
// (not a catalog, not temporary), which the caller may read.
bool eligible(Oid table) {
  const char kind = get_rel_relkind(table);
  if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) {
    return false;
  }
  const Oid ns = get_rel_namespace(table);
  if (IsCatalogNamespace(ns) || IsToastNamespace(ns) || isAnyTempNamespace(ns) ||
      ns == get_namespace_oid("information_schema", true)) {
    return false;
  }
  return pg_class_aclcheck(table, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

// Errors while a workload query is analysed point into that query, and name it.
struct QueryError {
  const char* query;
  int position; // in the caller's array (0: a captured statement)
};

void query_error_callback(void* arg) {
  const auto* e = static_cast<const QueryError*>(arg);
  const int cursor = geterrposition();
  if (cursor > 0) {
    errposition(0);
    internalerrposition(cursor);
    internalerrquery(e->query);
  }
  if (e->position > 0) {
    errcontext("advise, queries[%d]", e->position);
  }
}

// The columns one query uses on tables advise may index. Raises PostgreSQL errors.
FoundList* query_columns(const char* query, int position) {
  QueryError context{query, position};
  ErrorContextCallback callback{error_context_stack, query_error_callback, &context};
  error_context_stack = &callback;
  RawStmt* stmt = one_statement(query, "advise");
  auto* found = static_cast<FoundList*>(palloc0(sizeof(FoundList)));
  found->text = query;
  ListCell* lc = nullptr;
  foreach (lc, pg_analyze_and_rewrite_fixedparams(stmt, query, nullptr, 0, nullptr)) {
    Query* q = lfirst_node(Query, lc);
    if (q->commandType != CMD_UTILITY) {
      walk_query(q, found);
    }
  }
  // Plan it once: it must plan (privileges included) before it counts.
  (void)plan_query(query, nullptr, 0, nullptr);
  auto* kept = static_cast<FoundList*>(palloc0(sizeof(FoundList)));
  for (int i = 0; i < found->count; i++) {
    const Found& x = found->items[i];
    if (eligible(x.table)) {
      note(kept, x.table, x.column, x.uses, x.position);
    }
  }
  kept->predicates = found->predicates;
  kept->npredicates = found->npredicates;
  error_context_stack = callback.previous;
  return kept;
}

struct Workload {
  std::vector<std::string> texts;
  std::vector<advisor::Query> queries;
  int skipped = 0;
};

void add_query(Workload& w, const std::string& text, double weight, int position) {
  const FoundList* found = pg::guard([&] { return query_columns(text.c_str(), position); });
  advisor::Query q;
  q.weight = weight;
  for (int i = 0; i < found->count; i++) {
    const Found& x = found->items[i];
    const double distinct =
        pg::guard([&] { return distinct_values(x.table, static_cast<AttrNumber>(x.column)); });
    q.columns.push_back({x.table, x.column, x.uses, distinct, x.position});
  }
  for (int i = 0; i < found->npredicates; i++) {
    const FoundPredicate& p = found->predicates[i];
    const bool kept = std::any_of(q.columns.begin(), q.columns.end(),
                                  [&](const advisor::ColumnUse& c) { return c.table == p.table; });
    if (kept) { // on a table advise may index
      q.predicates.push_back({p.table, p.column, p.literal});
    }
  }
  w.texts.push_back(text);
  w.queries.push_back(std::move(q));
}

// The captured statements of this database the caller may see, most costly first, each with its
// sample put back; those that cannot be planned again (text cut, sample incomplete, a statement
// advise does not plan, a table gone) are skipped and counted.
void add_captured(Workload& w) {
  struct Row {
    std::string query;
    std::vector<std::string> params;
    double calls;
    bool usable;
  };
  std::vector<Row> rows;
  {
    pg::SpiConnection spi;
    const pg::SpiResult r = spi.execute(
        "SELECT query, pg_catalog.array_to_json(params)::text, calls, NOT query_cut AND params_complete "
        "FROM autoreport.captured_queries WHERE database = pg_catalog.current_database() "
        "ORDER BY total_ms DESC LIMIT " +
            std::to_string(kMaxCaptured),
        {}, true);
    for (uint64_t i = 0; i < r.rows(); ++i) {
      Row row{r.text(i, 0).value_or(""), {}, r.number(i, 2).value_or(1), r.boolean(i, 3).value_or(false)};
      const nlohmann::json params = nlohmann::json::parse(r.text(i, 1).value_or("[]"), nullptr, false);
      if (params.is_array()) {
        for (const nlohmann::json& v : params) {
          row.params.push_back(v.is_string() ? v.get<std::string>() : "");
        }
      }
      rows.push_back(std::move(row));
    }
  }
  for (const Row& row : rows) {
    const std::string text = substitute(row.query, row.params);
    if (!row.usable || highest_parameter(text) > 0) {
      w.skipped++;
      continue;
    }
    try {
      pg::subtransaction([&] { add_query(w, text, row.calls, 0); });
    } catch (const Interrupted&) {
      throw;
    } catch (const Error&) {
      w.skipped++;
    }
  }
}

// The tables the workload's candidate columns are on.
std::set<uint32_t> workload_tables(const Workload& w) {
  std::set<uint32_t> tables;
  for (const advisor::Query& q : w.queries) {
    for (const advisor::ColumnUse& c : q.columns) {
      tables.insert(c.table);
    }
  }
  return tables;
}

std::string quoted_table(Oid table) {
  return pg::guard([&] {
    return pstrdup(
        quote_qualified_identifier(get_namespace_name(get_rel_namespace(table)), get_rel_name(table)));
  });
}

std::string quoted_column(Oid table, int column) {
  return pg::guard(
      [&] { return pstrdup(quote_identifier(get_attname(table, static_cast<AttrNumber>(column), false))); });
}

// The advisor's questions, answered by the planner and the size model.
class PlannerOracle : public advisor::Oracle {
public:
  explicit PlannerOracle(const Workload& w) : workload_(w) {
    scratch_ = pg::guard([] {
      return AllocSetContextCreate(CurrentMemoryContext, "autoreport advise planning",
                                   ALLOCSET_DEFAULT_SIZES);
    });
    load_existing();
  }
  PlannerOracle(const PlannerOracle&) = delete;
  PlannerOracle& operator=(const PlannerOracle&) = delete;

  void attach(const advisor::Advisor* a) { advisor_ = a; }

  std::string ddl(size_t id) const {
    const advisor::Index& ix = advisor_->indexes()[id];
    std::string out = "CREATE INDEX ON " + quoted_table(ix.table) + " (";
    for (size_t k = 0; k < ix.columns.size(); ++k) {
      out += (k > 0 ? ", " : "") + quoted_column(ix.table, ix.columns[k]);
    }
    out += ")";
    if (ix.where_column != 0) {
      out += " WHERE " + quoted_column(ix.table, ix.where_column) + " = " + ix.where_value;
    }
    return out;
  }

  double cost(size_t query, const std::vector<size_t>& indexes, std::vector<bool>& used) override {
    List* list = NIL;
    for (size_t id : indexes) {
      Hypothetical* h = parsed(id);
      list = pg::guard([&] { return lappend(list, h); });
    }
    const char* text = workload_.texts[query].c_str();
    const int n = static_cast<int>(indexes.size());
    bool* flags = pg::guard([&] { return static_cast<bool*>(palloc0(sizeof(bool) * std::max(1, n))); });
    const double c = pg::guard([&] {
      CHECK_FOR_INTERRUPTS();
      MemoryContext caller = MemoryContextSwitchTo(scratch_);
      const double total = total_cost(plan_with(text, nullptr, 0, nullptr, list, flags));
      MemoryContextSwitchTo(caller);
      MemoryContextReset(scratch_);
      return total;
    });
    for (int k = 0; k < n; ++k) {
      used[static_cast<size_t>(k)] = flags[k];
    }
    ++plannings;
    return c;
  }

  double bytes(size_t index) override { return static_cast<double>(estimate_bytes(parsed(index))); }

  bool exists(const advisor::Index& index) override {
    const auto it = existing_.find(index.table);
    if (it == existing_.end()) {
      return false;
    }
    for (const std::vector<int>& keys : it->second) {
      if (keys.size() >= index.columns.size() &&
          std::equal(index.columns.begin(), index.columns.end(), keys.begin())) {
        return true;
      }
    }
    return false;
  }

  long plannings = 0;

private:
  Hypothetical* parsed(size_t id) {
    if (parsed_.size() <= id) {
      parsed_.resize(id + 1, nullptr);
    }
    if (parsed_[id] == nullptr) {
      const std::string statement = ddl(id);
      List* taken = taken_;
      Hypothetical* h = pg::guard([&] { return parse_hypothetical(statement.c_str(), 0, taken); });
      taken_ = pg::guard([&] { return lappend(taken, h); });
      parsed_[id] = h;
    }
    return parsed_[id];
  }

  // Valid B-tree indexes without a predicate, by table: their key columns (0 for an expression).
  void load_existing() {
    pg::SpiConnection spi;
    for (uint32_t table : workload_tables(workload_)) {
      const pg::SpiResult r = spi.execute(
          "SELECT array_to_string((i.indkey::int2[])[0:i.indnkeyatts - 1], ',') FROM pg_catalog.pg_index AS "
          "i "
          "JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid JOIN pg_catalog.pg_am AS am ON am.oid = "
          "c.relam "
          "WHERE i.indrelid = " +
              std::to_string(table) + " AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'",
          {}, true);
      for (uint64_t i = 0; i < r.rows(); ++i) {
        std::vector<int> keys;
        const std::string list = r.text(i, 0).value_or("");
        size_t start = 0;
        while (start < list.size()) {
          const size_t comma = list.find(',', start);
          keys.push_back(std::stoi(list.substr(start, comma - start)));
          start = comma == std::string::npos ? list.size() : comma + 1;
        }
        existing_[table].push_back(keys);
      }
    }
  }

  const Workload& workload_;
  const advisor::Advisor* advisor_ = nullptr;
  MemoryContext scratch_ = nullptr;
  std::vector<Hypothetical*> parsed_;
  List* taken_ = NIL;
  std::map<uint32_t, std::vector<std::vector<int>>> existing_;
};

// The heap size of the tables the workload's candidates are on.
double table_bytes(const Workload& w) {
  double bytes = 0;
  for (uint32_t table : workload_tables(w)) {
    bytes += pg::guard([&] {
      Relation rel = table_open(table, AccessShareLock);
      const double b = static_cast<double>(RelationGetNumberOfBlocks(rel)) * BLCKSZ;
      table_close(rel, AccessShareLock);
      return b;
    });
  }
  return bytes;
}

// The budget in bytes: a size ('1GB', '500 MB', as pg_size_bytes reads it) or a share of the
// workload's tables ('10%': of their heap size).
double parse_budget(const std::string& text, const Workload& w) {
  std::string t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) {
    t.pop_back();
  }
  if (!t.empty() && t.back() == '%') {
    const std::string number = t.substr(0, t.size() - 1);
    char* end = nullptr;
    const double share = std::strtod(number.c_str(), &end);
    if (number.empty() || end == number.c_str() || *end != '\0' || !std::isfinite(share) || share < 0 ||
        share > 1000) {
      throw Error(sqlstate::invalid_parameter_value, "invalid budget: \"" + text + "\"")
          .with_hint(
              "Give a size such as '1GB' or '500MB', or a share of the workload's tables such as '10%'.");
    }
    return table_bytes(w) * share / 100;
  }
  const int64 bytes = pg::guard(
      [&] { return DatumGetInt64(DirectFunctionCall1(pg_size_bytes, CStringGetTextDatum(t.c_str()))); });
  if (bytes < 0) {
    throw Error(sqlstate::invalid_parameter_value, "budget must not be negative, not \"" + text + "\"");
  }
  return static_cast<double>(bytes);
}

std::string pretty_bytes(double bytes) {
  return pg::guard([&] {
    return text_to_cstring(
        DatumGetTextPP(DirectFunctionCall1(pg_size_pretty, Int64GetDatum(static_cast<int64>(bytes)))));
  });
}

std::string fixed(double x, int decimals) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

} // namespace

} // namespace autoreport::analyze

using namespace autoreport;

// autoreport.advise(budget text, queries text[]) → TABLE(ddl, bytes, cost_saving, queries): the
// indexes to build, most saving first, then a summary row (ddl starts with "--").
AUTOREPORT_FUNCTION(autoreport_advise) {
  const auto started = std::chrono::steady_clock::now();
  const std::string budget_text = pg::text_arg(fcinfo, 0, "budget");
  analyze::Workload workload;
  if (PG_ARGISNULL(1)) {
    analyze::add_captured(workload);
  } else {
    const std::vector<std::optional<std::string>> texts = pg::text_array(PG_GETARG_DATUM(1));
    for (size_t i = 0; i < texts.size(); ++i) {
      if (!texts[i]) {
        throw Error(sqlstate::invalid_parameter_value, "queries[" + std::to_string(i + 1) + "] is null");
      }
      analyze::add_query(workload, *texts[i], 1, static_cast<int>(i + 1));
    }
  }
  const double budget = analyze::parse_budget(budget_text, workload);

  analyze::PlannerOracle oracle(workload);
  analyze::advisor::Options options;
  options.budget_bytes = budget;
  options.data_bytes = analyze::table_bytes(workload);
  analyze::advisor::Advisor advisor(workload.queries, oracle, options);
  oracle.attach(&advisor);
  const analyze::advisor::Advice advice = advisor.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  pg::TupleSink sink(fcinfo);
  double total_bytes = 0;
  for (const analyze::advisor::Choice& c : advice.chosen) {
    total_bytes += c.bytes;
    const std::array<Datum, 4> values = {pg::string_to_text(oracle.ddl(c.id)),
                                         Int64GetDatum(static_cast<int64>(c.bytes)), Float8GetDatum(c.saving),
                                         Int32GetDatum(c.queries)};
    const std::array<bool, 4> nulls{};
    sink.put(values, nulls);
  }
  const double less = advice.cost_before > 0 ? 100 * (1 - advice.cost_after / advice.cost_before) : 0;
  std::string summary = "-- workload cost " + analyze::fixed(advice.cost_before, 0) + " -> " +
                        analyze::fixed(advice.cost_after, 0) + " (" + analyze::fixed(less, 1) +
                        "% less) with " + std::to_string(advice.chosen.size()) + " index" +
                        (advice.chosen.size() == 1 ? "" : "es") + " of " +
                        analyze::pretty_bytes(total_bytes) + " (budget " + analyze::pretty_bytes(budget) +
                        "); " + std::to_string(workload.queries.size()) + " queries";
  if (workload.skipped > 0) {
    summary += " (" + std::to_string(workload.skipped) +
               (workload.skipped == 1 ? " captured statement skipped: it cannot"
                                      : " captured statements skipped: they cannot") +
               " be planned again)";
  }
  summary += ", " + std::to_string(advice.candidates) + " candidates, " + std::to_string(advice.plannings) +
             " what-if plannings (" + std::to_string(advice.cached) + " answered from the cache), " +
             analyze::fixed(seconds, 2) + " s";
  const std::array<Datum, 4> values = {pg::string_to_text(summary),
                                       Int64GetDatum(static_cast<int64>(total_bytes)),
                                       Float8GetDatum(advice.cost_before - advice.cost_after),
                                       Int32GetDatum(static_cast<int32>(workload.queries.size()))};
  const std::array<bool, 4> nulls{};
  sink.put(values, nulls);
  return static_cast<Datum>(0);
}
