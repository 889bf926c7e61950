// Reading a managed view's query: the checks that decide incremental maintenance, and the deparsing.
#include "views/analyze_pg.hpp"

#include "common/settings_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_class.h"
#include "access/table.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "tcop/tcopprot.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include <map>
#include <set>

namespace autoreport::views {

namespace {

namespace pg = autoreport::pg;

Error unsupported(const std::string& construct) {
  return Error(sqlstate::feature_not_supported, construct);
}

std::string quoted(const char* name) {
  return pg::guard([&] { return quote_identifier(name); });
}

std::string type_name(Oid type, int32 typmod) {
  return pg::guard([&] { return format_type_with_typemod(type, typmod); });
}

// The aggregate kinds maintained incrementally: pg_catalog's count, sum, avg, min, max, bool_and and
// bool_or, with one argument (count(*) with none), no DISTINCT, ORDER BY or FILTER inside.
AggKind aggregate_kind(const Aggref* a) {
  struct Found {
    const char* name;
    Oid schema;
  };
  const Found f = pg::guard([&] {
    return Found{get_func_name(a->aggfnoid), get_func_namespace(a->aggfnoid)};
  });
  const std::string name = f.name ? f.name : "?";
  if (f.schema != PG_CATALOG_NAMESPACE) {
    throw unsupported("the aggregate " + name + "() is not maintained incrementally")
        .with_hint("count, sum, avg, min, max, bool_and and bool_or are; use refresh => 'full' for others.");
  }
  if (a->aggkind != AGGKIND_NORMAL) {
    throw unsupported("ordered-set aggregates such as " + name + "() are not maintained incrementally")
        .with_hint("Use refresh => 'full'.");
  }
  if (a->aggdistinct != NIL) {
    throw unsupported("DISTINCT inside " + name + "() is not maintained incrementally")
        .with_hint("Use refresh => 'full'.");
  }
  if (a->aggorder != NIL) {
    throw unsupported("ORDER BY inside " + name + "() is not maintained incrementally")
        .with_hint("Use refresh => 'full'.");
  }
  if (a->aggfilter != nullptr) {
    throw unsupported("FILTER on " + name + "() is not maintained incrementally")
        .with_hint("Move the condition into a CASE inside the aggregate, or use refresh => 'full'.");
  }
  if (a->aggstar) {
    if (name == "count") {
      return AggKind::count_star;
    }
  } else if (list_length(a->args) == 1) {
    static const std::pair<const char*, AggKind> kinds[] = {
        {"count", AggKind::count},     {"sum", AggKind::sum},       {"avg", AggKind::avg},
        {"min", AggKind::min},         {"max", AggKind::max},       {"bool_and", AggKind::bool_and},
        {"bool_or", AggKind::bool_or}, {"every", AggKind::bool_and}};
    for (const auto& [n, k] : kinds) {
      if (name == n) {
        return k;
      }
    }
  }
  throw unsupported("the aggregate " + name + "() is not maintained incrementally")
      .with_hint("count, sum, avg, min, max, bool_and and bool_or are; use refresh => 'full' for others.");
}

// The type the hidden sum behind avg() is kept in: exact for integers and numeric.
std::string avg_sum_type(Oid arg) {
  switch (arg) {
  case INT2OID:
  case INT4OID:
  case INT8OID:
  case NUMERICOID:
    return "numeric";
  case FLOAT4OID:
  case FLOAT8OID:
    return "double precision";
  case INTERVALOID:
    return "interval";
  default:
    throw unsupported("avg() over " + type_name(arg, -1) + " is not maintained incrementally");
  }
}

// Every Var's syntactic position made its real one, so that the deparsed text names base tables.
Node* plain_vars(Node* node, void* context) {
  if (node == nullptr) {
    return nullptr;
  }
  if (IsA(node, Var)) {
    Var* v = static_cast<Var*>(copyObjectImpl(node));
    v->varnosyn = v->varno;
    v->varattnosyn = v->varattno;
    return reinterpret_cast<Node*>(v);
  }
  return expression_tree_mutator(
      node, reinterpret_cast<Node* (*)()>(reinterpret_cast<void (*)()>(plain_vars)), context);
}

struct VarUse {
  std::vector<std::set<AttrNumber>>* columns;
  std::map<std::pair<Index, AttrNumber>, Oid> types; // the type each column's Vars have
  bool whole_row = false;
  bool system = false;
  bool outer = false;
};

bool collect_vars(Node* node, VarUse* use) {
  if (node == nullptr) {
    return false;
  }
  if (IsA(node, Var)) {
    const Var* v = castNode(Var, node);
    if (v->varlevelsup != 0) {
      use->outer = true;
    } else if (v->varattno == 0) {
      use->whole_row = true;
    } else if (v->varattno < 0) {
      use->system = true;
    } else if (v->varno >= 1 && static_cast<size_t>(v->varno) <= use->columns->size()) {
      (*use->columns)[static_cast<size_t>(v->varno) - 1].insert(v->varattno);
      use->types[{v->varno, v->varattno}] = v->vartype;
    }
    return false;
  }
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_vars)), use);
}

// The conditions of the inner joins under a join tree node, appended to quals.
void join_quals(Node* node, List* rtable, List** quals) {
  if (node == nullptr || IsA(node, RangeTblRef)) {
    return;
  }
  if (IsA(node, FromExpr)) {
    FromExpr* f = castNode(FromExpr, node);
    ListCell* lc;
    foreach (lc, f->fromlist) {
      join_quals(static_cast<Node*>(lfirst(lc)), rtable, quals);
    }
    if (f->quals != nullptr) {
      *quals = lappend(*quals, f->quals);
    }
    return;
  }
  if (IsA(node, JoinExpr)) {
    JoinExpr* j = castNode(JoinExpr, node);
    join_quals(j->larg, rtable, quals);
    join_quals(j->rarg, rtable, quals);
    if (j->quals != nullptr) {
      *quals = lappend(*quals, j->quals);
    }
  }
}

// The columns of a table's primary key, in order; empty when it has none.
std::vector<AttrNumber> primary_key(Oid relid) {
  struct Key {
    int n;
    AttrNumber att[INDEX_MAX_KEYS];
  };
  const Key k = pg::guard([&] {
    Key out{0, {}};
    Relation rel = table_open(relid, AccessShareLock);
    const Oid index = RelationGetPrimaryKeyIndex(rel);
    table_close(rel, AccessShareLock);
    if (!OidIsValid(index)) {
      return out;
    }
    HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tup)) {
      return out;
    }
    const Form_pg_index f = reinterpret_cast<Form_pg_index>(GETSTRUCT(tup));
    out.n = f->indnkeyatts;
    for (int i = 0; i < out.n; ++i) {
      out.att[i] = f->indkey.values[i];
    }
    ReleaseSysCache(tup);
    return out;
  });
  return std::vector<AttrNumber>(k.att, k.att + k.n);
}

// HAVING read over the view's table: each GROUP BY expression and aggregate the condition uses becomes
// the placeholder $<kHavingParam + i> of the table's column i that holds it.
constexpr size_t kHavingParam = 90000;

struct Having {
  std::vector<std::pair<Node*, size_t>>* targets; // expressions held by columns, and the columns
  std::vector<const Aggref*> missing;             // aggregates no column holds yet
  std::optional<std::string> ungrouped;           // a column read outside of them
};

Node* having_over_table(Node* node, Having* h) {
  if (node == nullptr) {
    return nullptr;
  }
  auto placeholder = [&](size_t column) {
    Param* p = makeNode(Param);
    p->paramkind = PARAM_EXTERN;
    p->paramid = static_cast<int>(kHavingParam + column);
    p->paramtype = exprType(node);
    p->paramtypmod = exprTypmod(node);
    p->paramcollid = exprCollation(node);
    p->location = -1;
    return reinterpret_cast<Node*>(p);
  };
  for (const auto& [expr, column] : *h->targets) {
    if (equal(node, expr)) {
      return placeholder(column);
    }
  }
  if (IsA(node, Aggref)) {
    const Aggref* agg = castNode(Aggref, node);
    for (size_t i = 0; i < h->missing.size(); ++i) {
      if (equal(node, h->missing[i])) {
        return placeholder(h->targets->size() + i);
      }
    }
    h->missing.push_back(agg);
    return placeholder(h->targets->size() + h->missing.size() - 1);
  }
  if (IsA(node, Var)) {
    h->ungrouped = "a column outside GROUP BY";
    return node;
  }
  return expression_tree_mutator(
      node, reinterpret_cast<Node* (*)()>(reinterpret_cast<void (*)()>(having_over_table)), h);
}

} // namespace

std::string log_name(Oid source) {
  return "autoreport_log.log_" + std::to_string(source);
}

Oid log_oid(Oid source) {
  return pg::guard([&] {
    const Oid schema = get_namespace_oid("autoreport_log", true);
    return OidIsValid(schema) ? get_relname_relid(("log_" + std::to_string(source)).c_str(), schema)
                              : InvalidOid;
  });
}

Query* parse_query(const std::string& sql) {
  List* raw = pg::guard([&] { return raw_parser(sql.c_str(), RAW_PARSE_DEFAULT); });
  if (list_length(raw) != 1) {
    throw Error(sqlstate::invalid_parameter_value,
                "the query of a managed view must be one SELECT statement");
  }
  RawStmt* stmt = linitial_node(RawStmt, raw);
  if (!IsA(stmt->stmt, SelectStmt)) {
    throw Error(sqlstate::invalid_parameter_value, "the query of a managed view must be a SELECT statement");
  }
  if (castNode(SelectStmt, stmt->stmt)->intoClause != nullptr) {
    throw Error(sqlstate::invalid_parameter_value, "the query of a managed view must not be SELECT INTO");
  }
  return pg::guard([&] { return parse_analyze_fixedparams(stmt, sql.c_str(), nullptr, 0, nullptr); });
}

std::string tree_to_text(Query* query) {
  return pg::guard([&] { return nodeToString(query); });
}

Query* tree_from_text(const std::string& text) {
  Node* node = pg::guard([&] { return static_cast<Node*>(stringToNode(text.c_str())); });
  if (node == nullptr || !IsA(node, Query)) {
    throw Error(sqlstate::internal_error, "the stored tree of a managed view is not a query");
  }
  return castNode(Query, node);
}

Analysis analyze(Query* q) {
  // Names are deparsed qualified unless they are in pg_catalog.
  pg::SettingScope path("search_path", "pg_catalog, pg_temp");
  Analysis out;

  // The sources, checked to exist with the columns the query reads as it read them.
  const size_t n_rte = static_cast<size_t>(list_length(q->rtable));
  std::vector<std::set<AttrNumber>> used(n_rte);
  VarUse use{&used, {}};
  pg::guard([&] {
    query_tree_walker(q, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_vars)), &use,
                      QTW_IGNORE_JOINALIASES);
  });
  std::vector<size_t> relation_rtes;
  for (size_t i = 0; i < n_rte; ++i) {
    const RangeTblEntry* rte = static_cast<RangeTblEntry*>(list_nth(q->rtable, static_cast<int>(i)));
    // (A view's stored query also lists the view itself twice, as OLD and NEW: not sources.)
    if (rte->rtekind != RTE_RELATION || !rte->inFromCl) {
      continue;
    }
    const char* rel = pg::guard([&] { return get_rel_name(rte->relid); });
    if (rel == nullptr) {
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "a table the view reads no longer exists (OID " + std::to_string(rte->relid) + ")");
    }
    for (AttrNumber att : used[i]) {
      struct Att {
        bool exists;
        bool dropped;
        Oid type;
      };
      const Att a = pg::guard([&] {
        HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rte->relid), Int16GetDatum(att));
        if (!HeapTupleIsValid(tup)) {
          return Att{false, false, InvalidOid};
        }
        const Form_pg_attribute f = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tup));
        const Att r{true, f->attisdropped, f->atttypid};
        ReleaseSysCache(tup);
        return r;
      });
      if (!a.exists || a.dropped) {
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "a column the view reads was dropped from table " + std::string(rel));
      }
      // Every Var of this column has the type the column had at definition.
      struct Check {
        bool differs;
      } check{false};
      for (const auto& [key, type] : use.types) {
        if (key.first == static_cast<Index>(i + 1) && key.second == att && type != a.type) {
          check.differs = true;
        }
      }
      if (check.differs) {
        const char* col = pg::guard([&] { return get_attname(rte->relid, att, false); });
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "column " + std::string(col) + " of table " + rel +
                        " changed type since the view was defined");
      }
    }
    relation_rtes.push_back(i);
  }

  // The full query, deparsed (every name qualified), and its output columns.
  out.definition = pg::guard([&] { return pg_get_querydef(q, false); });
  ListCell* lc;
  foreach (lc, q->targetList) {
    const TargetEntry* tle = lfirst_node(TargetEntry, lc);
    if (tle->resjunk) {
      continue;
    }
    const std::string name = tle->resname ? tle->resname : "?column?";
    if (name.rfind("_ar_", 0) == 0) {
      throw Error("42939", "column names starting with _ar_ are reserved for managed views")
          .with_detail("The query's column " + name + " starts with _ar_.")
          .with_hint("Give it another name with AS.");
    }
    const Oid type = pg::guard([&] { return exprType(reinterpret_cast<Node*>(tle->expr)); });
    const int32 typmod = pg::guard([&] { return exprTypmod(reinterpret_cast<Node*>(tle->expr)); });
    out.output.push_back({quoted(name.c_str()), type_name(type, typmod)});
  }

  try {
    // What stops incremental maintenance, most general first.
    if (q->setOperations != nullptr) {
      throw unsupported("UNION, INTERSECT and EXCEPT are not maintained incrementally");
    }
    if (q->cteList != NIL) {
      throw unsupported("WITH queries are not maintained incrementally");
    }
    if (q->hasWindowFuncs) {
      throw unsupported("window functions are not maintained incrementally");
    }
    if (q->hasDistinctOn) {
      throw unsupported("DISTINCT ON is not maintained incrementally");
    }
    if (q->distinctClause != NIL) {
      throw unsupported("SELECT DISTINCT is not maintained incrementally")
          .with_hint("GROUP BY the same columns instead.");
    }
    if (q->limitCount != nullptr || q->limitOffset != nullptr) {
      throw unsupported("LIMIT and OFFSET are not maintained incrementally");
    }
    if (q->hasSubLinks) {
      throw unsupported("subqueries are not maintained incrementally");
    }
    if (q->hasTargetSRFs) {
      throw unsupported("set-returning functions are not maintained incrementally");
    }
    if (q->groupingSets != NIL) {
      throw unsupported("GROUPING SETS, ROLLUP and CUBE are not maintained incrementally");
    }
    if (q->rowMarks != NIL) {
      throw unsupported("FOR UPDATE and FOR SHARE are not maintained incrementally");
    }
    if (q->havingQual != nullptr && q->groupClause == NIL) {
      throw unsupported("HAVING without GROUP BY is not maintained incrementally")
          .with_hint("Use refresh => 'full'.");
    }
    if (use.whole_row) {
      throw unsupported("whole-row references are not maintained incrementally");
    }
    if (use.system) {
      throw unsupported("system columns are not maintained incrementally");
    }
    if (use.outer) {
      throw unsupported("references to an outer query are not maintained incrementally");
    }
    for (size_t i = 0; i < n_rte; ++i) {
      const RangeTblEntry* rte = static_cast<RangeTblEntry*>(list_nth(q->rtable, static_cast<int>(i)));
      switch (rte->rtekind) {
      case RTE_RELATION: {
        struct Rel {
          char kind;
          char persistence;
          bool has_subclass;
        };
        const Rel r = pg::guard([&] {
          return Rel{get_rel_relkind(rte->relid), get_rel_persistence(rte->relid), has_subclass(rte->relid)};
        });
        if (rte->tablesample != nullptr) {
          throw unsupported("TABLESAMPLE is not maintained incrementally");
        }
        if (r.kind == RELKIND_VIEW) {
          throw unsupported("a view as a source is not maintained incrementally")
              .with_hint("Read its tables in the query, or make it a managed view.");
        }
        if (r.kind == RELKIND_MATVIEW) {
          throw unsupported("a materialized view as a source is not maintained incrementally");
        }
        if (r.kind == RELKIND_FOREIGN_TABLE) {
          throw unsupported("a foreign table as a source is not maintained incrementally");
        }
        if (r.kind == RELKIND_PARTITIONED_TABLE || r.has_subclass) {
          throw unsupported("partitioned and inherited tables are not maintained incrementally yet")
              .with_detail("Changes written to a partition or child table directly would not be captured.");
        }
        if (r.persistence == RELPERSISTENCE_TEMP) {
          throw unsupported("a temporary table as a source is not maintained incrementally");
        }
        if (r.kind != RELKIND_RELATION) {
          throw unsupported("this kind of relation is not maintained incrementally");
        }
        break;
      }
      case RTE_JOIN:
        if (rte->jointype != JOIN_INNER) {
          throw unsupported("outer joins are not maintained incrementally")
              .with_hint("Use inner joins, or refresh => 'full'.");
        }
        break;
      case RTE_SUBQUERY:
        throw unsupported("subqueries in FROM are not maintained incrementally");
      case RTE_FUNCTION:
      case RTE_TABLEFUNC:
        throw unsupported("functions in FROM are not maintained incrementally");
      case RTE_VALUES:
        throw unsupported("VALUES in FROM is not maintained incrementally");
      case RTE_CTE:
        throw unsupported("WITH queries are not maintained incrementally");
      default:
        throw unsupported("this FROM item is not maintained incrementally");
      }
    }
    if (relation_rtes.empty()) {
      throw unsupported("a query that reads no table is not maintained incrementally");
    }

    // Expressions, with join aliases replaced by what they stand for and Vars named by their tables.
    auto prepared = [&](Node* node) {
      return pg::guard([&] {
        Node* flat = flatten_join_alias_vars(q, node);
        return plain_vars(flat, nullptr);
      });
    };
    List* quals = NIL;
    pg::guard([&] { join_quals(reinterpret_cast<Node*>(q->jointree), q->rtable, &quals); });

    // The deparse context: each range table entry under the name the deparsed text uses.
    struct Context {
      List* names;
      List* dp;
    };
    const Context ctx = pg::guard([&] {
      PlannedStmt* stmt = makeNode(PlannedStmt);
      stmt->rtable = q->rtable;
      Bitmapset* rels = nullptr;
      for (int i = 1; i <= list_length(q->rtable); ++i) {
        rels = bms_add_member(rels, i);
      }
      List* names = select_rtable_names_for_explain(q->rtable, rels);
      return Context{names, deparse_context_for_plan_tree(stmt, names)};
    });
    auto deparse = [&](Node* node) {
      Node* p = prepared(node);
      if (pg::guard([&] { return contain_mutable_functions(p); })) {
        throw unsupported("a function or operator that is not immutable is not maintained incrementally")
            .with_detail(std::string("In: ") +
                         pg::guard([&] { return deparse_expression(p, ctx.dp, true, false); }));
      }
      return std::string(pg::guard([&] { return deparse_expression(p, ctx.dp, true, false); }));
    };

    // A column of the view computing aggregate agg (one of the kinds maintained).
    auto aggregate_column = [&](const Aggref* agg, const std::string& name, const std::string& type) {
      Column col;
      col.type = type;
      col.role = Column::Role::aggregate;
      col.kind = aggregate_kind(agg);
      col.name = name;
      if (col.kind != AggKind::count_star) {
        Node* arg = reinterpret_cast<Node*>(linitial_node(TargetEntry, agg->args)->expr);
        col.expr = deparse(arg);
        const Oid arg_type = pg::guard([&] { return exprType(arg); });
        if (col.kind == AggKind::avg) {
          col.sum_type = avg_sum_type(arg_type);
        } else if (col.kind == AggKind::sum &&
                   !(arg_type == INT2OID || arg_type == INT4OID || arg_type == INT8OID ||
                     arg_type == NUMERICOID || arg_type == FLOAT4OID || arg_type == FLOAT8OID ||
                     arg_type == INTERVALOID || arg_type == CASHOID)) {
          throw unsupported("sum() over " + type_name(arg_type, -1) + " is not maintained incrementally");
        }
      }
      return col;
    };
    // The target list's GROUP BY expressions and aggregates, with the column of the view holding each.
    std::vector<std::pair<Node*, size_t>> targets;

    Shape& shape = out.shape;
    shape.grouped = q->groupClause != NIL;
    shape.row_level = !q->hasAggs && q->groupClause == NIL;
    std::vector<std::string> conds;
    foreach (lc, quals) {
      conds.push_back("(" + deparse(static_cast<Node*>(lfirst(lc))) + ")");
    }
    for (const std::string& c : conds) {
      shape.quals += (shape.quals.empty() ? "" : " AND ") + c;
    }

    std::set<Index> group_refs;
    ListCell* gc;
    foreach (gc, q->groupClause) {
      group_refs.insert(lfirst_node(SortGroupClause, gc)->tleSortGroupRef);
    }
    size_t hidden_keys = 0;
    foreach (lc, q->targetList) {
      const TargetEntry* tle = lfirst_node(TargetEntry, lc);
      Node* expr = reinterpret_cast<Node*>(tle->expr);
      const Oid type = pg::guard([&] { return exprType(expr); });
      const int32 typmod = pg::guard([&] { return exprTypmod(expr); });
      Column col;
      col.type = type_name(type, typmod);
      if (tle->ressortgroupref != 0 && group_refs.count(tle->ressortgroupref) > 0) {
        col.role = Column::Role::key;
        col.expr = deparse(expr);
        col.hidden = tle->resjunk;
        col.name = tle->resjunk ? "_ar_key" + std::to_string(hidden_keys++) : quoted(tle->resname);
        shape.columns.push_back(std::move(col));
        targets.push_back({expr, shape.columns.size() - 1});
        continue;
      }
      if (tle->resjunk) {
        continue; // an ORDER BY expression: the order of a table's rows is not kept
      }
      if (shape.row_level) {
        col.role = Column::Role::value;
        col.expr = deparse(expr);
        col.name = quoted(tle->resname);
        shape.columns.push_back(std::move(col));
        continue;
      }
      if (!IsA(expr, Aggref)) {
        const bool has_aggs = pg::guard([&] { return contain_agg_clause(expr); });
        throw unsupported(has_aggs ? "the column " + std::string(tle->resname) +
                                         " computes over aggregates, which is not maintained incrementally"
                                   : "the column " + std::string(tle->resname) +
                                         " is neither a GROUP BY expression nor an aggregate")
            .with_hint(
                has_aggs ? "Keep the aggregates as columns and compute the expression when reading the view."
                         : "Add it to GROUP BY.");
      }
      shape.columns.push_back(aggregate_column(castNode(Aggref, expr), quoted(tle->resname), col.type));
      targets.push_back({expr, shape.columns.size() - 1});
    }

    // HAVING: the table keeps only the groups that pass it. The condition is kept twice: over the
    // sources (full refresh, recomputation) and over the table's own columns (a merged group), its
    // aggregates and GROUP BY expressions read from the columns that hold them (an aggregate the select
    // list does not show gets a hidden column).
    if (q->havingQual != nullptr) {
      shape.having = deparse(q->havingQual);
      if (shape.having.find("$9") != std::string::npos) {
        throw unsupported("a HAVING condition that contains the text $9 is not maintained incrementally");
      }
      Having h{&targets, {}, {}};
      Node* over_table = pg::guard([&] { return having_over_table(q->havingQual, &h); });
      for (const Aggref* agg : h.missing) {
        const Oid type = pg::guard([&] { return exprType(reinterpret_cast<const Node*>(agg)); });
        const int32 typmod = pg::guard([&] { return exprTypmod(reinterpret_cast<const Node*>(agg)); });
        Column col =
            aggregate_column(agg, "_ar_h" + std::to_string(shape.columns.size()), type_name(type, typmod));
        col.hidden = true;
        shape.columns.push_back(std::move(col));
        targets.push_back({reinterpret_cast<Node*>(const_cast<Aggref*>(agg)), shape.columns.size() - 1});
      }
      if (h.ungrouped) {
        throw unsupported("a HAVING condition over " + *h.ungrouped + " is not maintained incrementally");
      }
      // Each placeholder $<kHavingParam + i> stands for column i of the table.
      std::string text = pg::guard([&] { return deparse_expression(over_table, ctx.dp, true, false); });
      for (size_t i = shape.columns.size(); i-- > 0;) {
        const std::string placeholder = "$" + std::to_string(kHavingParam + i);
        const std::string column = "v." + shape.columns[i].name;
        for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at)) {
          text.replace(at, placeholder.size(), column);
          at += column.size();
        }
      }
      shape.having_on_table = text;
    }

    // The sources, under the names the deparsed text uses.
    for (size_t i : relation_rtes) {
      const RangeTblEntry* rte = static_cast<RangeTblEntry*>(list_nth(q->rtable, static_cast<int>(i)));
      Source src;
      struct Names {
        char* schema;
        char* rel;
      };
      const Names names = pg::guard([&] {
        return Names{get_namespace_name(get_rel_namespace(rte->relid)), get_rel_name(rte->relid)};
      });
      src.table = pg::guard([&] { return quote_qualified_identifier(names.schema, names.rel); });
      src.alias = quoted(static_cast<const char*>(list_nth(ctx.names, static_cast<int>(i))));
      src.log = log_name(rte->relid);
      if (shape.row_level) {
        // Rows are followed by their sources' primary keys, which the log then holds too.
        const std::vector<AttrNumber> key = primary_key(rte->relid);
        if (key.empty()) {
          throw unsupported("table " + std::string(names.rel) +
                            " has no primary key, which a view without GROUP BY needs to follow its rows")
              .with_hint("Add a primary key, aggregate with GROUP BY, or use refresh => 'full'.");
        }
        for (AttrNumber att : key) {
          used[i].insert(att);
          const char* col = pg::guard([&] { return get_attname(rte->relid, att, false); });
          src.key.push_back({"c" + std::to_string(att), quoted(col)});
          const Oid type = pg::guard([&] { return get_atttype(rte->relid, att); });
          src.key_types.push_back(type_name(type, -1));
        }
      }
      for (AttrNumber att : used[i]) {
        const char* col = pg::guard([&] { return get_attname(rte->relid, att, false); });
        src.columns.push_back({"c" + std::to_string(att), quoted(col)});
      }
      shape.sources.push_back(std::move(src));
      out.sources.push_back(rte->relid);
      out.columns.emplace_back(used[i].begin(), used[i].end());
    }
    out.incremental = true;
  } catch (const Error& e) {
    if (e.sqlstate() != sqlstate::feature_not_supported || e.origin() != 0) {
      throw;
    }
    out.incremental = false;
    out.refusal = e.message();
    out.refusal_detail = e.detail();
    out.refusal_hint = e.hint();
    out.shape = Shape{};
    out.sources.clear();
    out.columns.clear();
    for (size_t i : relation_rtes) {
      const RangeTblEntry* rte = static_cast<RangeTblEntry*>(list_nth(q->rtable, static_cast<int>(i)));
      out.sources.push_back(rte->relid);
      out.columns.emplace_back(used[i].begin(), used[i].end());
    }
  }
  return out;
}

} // namespace autoreport::views
