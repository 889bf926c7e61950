// Hypothetical indexes: what_if(query, indexes) and estimate_index_size(statement).
//
// A CREATE INDEX statement is parsed and checked as PostgreSQL would check it (the table, columns,
// expressions, operator classes, options) and kept in this call's memory only. While what_if() plans
// the query, a get_relation_info hook adds each hypothetical index of a table to the planner's list of
// its indexes (an IndexOptInfo marked hypothetical, which is what the executor's EXPLAIN-only start and
// selfuncs.c expect of an index advisor). Nothing is written to the catalogs: other sessions, later
// statements and plans cached elsewhere never see them. The hook adds them only to the planning that
// what_if() itself starts (planner depth 1): a function the planner evaluates on the way (a constant
// folded through an immutable PL/pgSQL function) plans its own statements without them, so that no
// plan naming a hypothetical index is ever cached.
//
// The planner is told the index's size as HypoPG tells it (index_size.hpp: planner_pages), with the
// tree height left unknown, so that the costs are HypoPG's for the same index and query;
// estimate_index_size() gives the closer estimate of what CREATE INDEX would write.
#include "common/postgres.hpp"

extern "C" {
#include "access/amapi.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "storage/bufmgr.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "analyze/analyze_pg.hpp"
#include "analyze/hypothetical_pg.hpp"
#include "analyze/index_size.hpp"
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/error.hpp"
#include "common/spi_pg.hpp"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::analyze {

// One hypothetical index, in the memory of the call that parsed it. Expressions and the predicate
// refer to the table as range table entry 1.
struct Hypothetical {
  Oid oid;
  Oid relid;
  Oid relam;
  const char* name;
  int ncolumns;
  int nkeycolumns;
  int* indexkeys;
  Oid* collations;
  Oid* opfamily;
  Oid* opcintype;
  bool* reverse_sort;
  bool* nulls_first;
  bool* canreturn;
  List* indexprs;
  List* indpred;
  bool unique;
  int fillfactor; // 0: the method's default
  bool deduplicate;
  int pages_per_range;
};

namespace {

// The hypothetical indexes the current what_if() call plans with (NIL outside it), and the depth of
// planner() calls in progress.
List* g_active = NIL;
List* g_named = NIL; // the same, named for EXPLAIN while its plan is printed
int g_planner_depth = 0;

planner_hook_type g_prev_planner = nullptr;
get_relation_info_hook_type g_prev_relation_info = nullptr;
explain_get_index_name_hook_type g_prev_index_name = nullptr;

constexpr int kMaxIndexes = 1024; // Dexter-style callers hypothesise every pair of a few dozen columns

PlannedStmt* counting_planner(Query* parse, const char* query, int options, ParamListInfo params) {
  PlannedStmt* result = nullptr;
  g_planner_depth++;
  PG_TRY();
  {
    result = g_prev_planner != nullptr ? g_prev_planner(parse, query, options, params)
                                       : standard_planner(parse, query, options, params);
  }
  PG_FINALLY();
  { g_planner_depth--; }
  PG_END_TRY();
  return result;
}

// HypoPG's width of an index column (planner_pages): the column's average width from its statistics
// (0 without), 32 for md5(), the argument's for lower() and upper(), 50 for other expressions.
int32 planner_width(const Hypothetical* h, int column, ListCell** expression) {
  if (h->indexkeys[column] != 0) {
    return get_attavgwidth(h->relid, static_cast<AttrNumber>(h->indexkeys[column]));
  }
  Node* expr = static_cast<Node*>(lfirst(*expression));
  *expression = lnext(h->indexprs, *expression);
  if (IsA(expr, Var) && reinterpret_cast<Var*>(expr)->varattno != InvalidAttrNumber) {
    return get_attavgwidth(h->relid, reinterpret_cast<Var*>(expr)->varattno);
  }
  if (IsA(expr, FuncExpr)) {
    FuncExpr* f = reinterpret_cast<FuncExpr*>(expr);
    if (f->funcid == F_MD5_TEXT) {
      return 32;
    }
    if ((f->funcid == F_LOWER_TEXT || f->funcid == F_UPPER_TEXT) && IsA(linitial(f->args), Var) &&
        reinterpret_cast<Var*>(linitial(f->args))->varattno > 0) {
      return get_attavgwidth(h->relid, reinterpret_cast<Var*>(linitial(f->args))->varattno);
    }
  }
  return 50;
}

// The target list of an index's columns (as plancat.c builds it for a real index).
List* index_tlist(IndexOptInfo* index, Relation relation, Index varno) {
  List* tlist = NIL;
  ListCell* expression = list_head(index->indexprs);
  for (int i = 0; i < index->ncolumns; i++) {
    Expr* e = nullptr;
    const int key = index->indexkeys[i];
    if (key != 0) {
      const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(relation), key - 1);
      e = reinterpret_cast<Expr*>(
          makeVar(varno, static_cast<AttrNumber>(key), att->atttypid, att->atttypmod, att->attcollation, 0));
    } else {
      e = static_cast<Expr*>(lfirst(expression));
      expression = lnext(index->indexprs, expression);
    }
    tlist = lappend(tlist, makeTargetEntry(e, static_cast<AttrNumber>(i + 1), nullptr, false));
  }
  return tlist;
}

void add_hypothetical(PlannerInfo* root, RelOptInfo* rel, const Hypothetical* h) {
  const IndexAmRoutine* am = GetIndexAmRoutineByAmId(h->relam, false);
  IndexOptInfo* index = makeNode(IndexOptInfo);
  index->indexoid = h->oid;
  index->reltablespace = rel->reltablespace;
  index->rel = rel;
  index->relam = h->relam;
  index->ncolumns = h->ncolumns;
  index->nkeycolumns = h->nkeycolumns;
  index->indexkeys = static_cast<int*>(palloc(sizeof(int) * h->ncolumns));
  index->canreturn = static_cast<bool*>(palloc(sizeof(bool) * h->ncolumns));
  index->opclassoptions = static_cast<bytea**>(palloc0(sizeof(bytea*) * h->ncolumns));
  for (int i = 0; i < h->ncolumns; i++) {
    index->indexkeys[i] = h->indexkeys[i];
    index->canreturn[i] = h->canreturn[i];
  }
  index->indexcollations = static_cast<Oid*>(palloc(sizeof(Oid) * h->nkeycolumns));
  index->opfamily = static_cast<Oid*>(palloc(sizeof(Oid) * h->nkeycolumns));
  index->opcintype = static_cast<Oid*>(palloc(sizeof(Oid) * h->nkeycolumns));
  for (int i = 0; i < h->nkeycolumns; i++) {
    index->indexcollations[i] = h->collations[i];
    index->opfamily[i] = h->opfamily[i];
    index->opcintype[i] = h->opcintype[i];
  }
  if (h->relam == BTREE_AM_OID) {
    index->sortopfamily = index->opfamily;
    index->reverse_sort = static_cast<bool*>(palloc(sizeof(bool) * h->nkeycolumns));
    index->nulls_first = static_cast<bool*>(palloc(sizeof(bool) * h->nkeycolumns));
    for (int i = 0; i < h->nkeycolumns; i++) {
      index->reverse_sort[i] = h->reverse_sort[i];
      index->nulls_first[i] = h->nulls_first[i];
    }
  }
  index->indexprs = static_cast<List*>(copyObjectImpl(h->indexprs));
  index->indpred = static_cast<List*>(copyObjectImpl(h->indpred));
  if (rel->relid != 1) {
    ChangeVarNodes(reinterpret_cast<Node*>(index->indexprs), 1, static_cast<int>(rel->relid), 0);
    ChangeVarNodes(reinterpret_cast<Node*>(index->indpred), 1, static_cast<int>(rel->relid), 0);
  }
  index->predOK = false;
  index->unique = h->unique;
  index->immediate = true;
  index->hypothetical = true;
  index->amcanorderbyop = am->amcanorderbyop;
  index->amoptionalkey = am->amoptionalkey;
  index->amsearcharray = am->amsearcharray;
  index->amsearchnulls = am->amsearchnulls;
  index->amhasgettuple = am->amgettuple != nullptr;
  index->amhasgetbitmap = am->amgetbitmap != nullptr;
  index->amcanparallel = am->amcanparallel;
  index->amcanmarkpos = am->ammarkpos != nullptr && am->amrestrpos != nullptr;
  index->amcostestimate = reinterpret_cast<void (*)()>(am->amcostestimate);
  Relation relation = table_open(h->relid, NoLock);
  index->indextlist = index_tlist(index, relation, rel->relid);
  table_close(relation, NoLock);

  // Its size, as HypoPG estimates it (see planner_pages).
  double tuples = rel->tuples;
  if (index->indpred != NIL) {
    // The relation is not in the planner's array yet (build_simple_rel puts it there after this
    // hook); the predicate's selectivity needs it there.
    RelOptInfo* saved = root->simple_rel_array[rel->relid];
    root->simple_rel_array[rel->relid] = rel;
    tuples *= clauselist_selectivity(root, index->indpred, 0, JOIN_INNER, nullptr);
    root->simple_rel_array[rel->relid] = saved;
  }
  index->tuples = tuples;
  double pages = 1;
  if (h->relam == BTREE_AM_OID) {
    int32 width = 0;
    ListCell* expression = list_head(h->indexprs);
    for (int i = 0; i < h->ncolumns; i++) {
      width += planner_width(h, i, &expression);
    }
    pages = planner_pages(tuples, width, h->ncolumns, h->fillfactor);
  } else {
    IndexModel m{};
    m.method = h->relam == HASH_AM_OID ? IndexMethod::hash : IndexMethod::brin;
    m.rows = tuples;
    m.fillfactor = h->fillfactor;
    m.table_pages = rel->pages;
    m.pages_per_range = h->pages_per_range;
    ListCell* expression = list_head(h->indexprs);
    for (int i = 0; i < h->ncolumns; i++) {
      m.add(IndexColumn{static_cast<double>(std::max(planner_width(h, i, &expression), 1)), 8, 0, true});
    }
    pages = estimate_index_pages(m);
  }
  index->pages = static_cast<BlockNumber>(std::min(pages, 4.0e9));
  index->tree_height = -1;
  rel->indexlist = lcons(index, rel->indexlist);
}

void hypothetical_relation_info(PlannerInfo* root, Oid relid, bool inhparent, RelOptInfo* rel) {
  if (g_prev_relation_info != nullptr) {
    g_prev_relation_info(root, relid, inhparent, rel);
  }
  if (g_active == NIL || g_planner_depth != 1 || inhparent) {
    return;
  }
  // In reverse, so that the first given comes first in the list (as each is put in front).
  for (int i = list_length(g_active) - 1; i >= 0; i--) {
    const Hypothetical* h = static_cast<const Hypothetical*>(list_nth(g_active, i));
    if (h->relid == relid) {
      add_hypothetical(root, rel, h);
    }
  }
}

const char* hypothetical_index_name(Oid index) {
  ListCell* lc = nullptr;
  foreach (lc, g_named) {
    const Hypothetical* h = static_cast<const Hypothetical*>(lfirst(lc));
    if (h->oid == index) {
      return h->name;
    }
  }
  return g_prev_index_name != nullptr ? g_prev_index_name(index) : nullptr;
}

// An OID no relation has, for a hypothetical index (from the top of the OID space, down).
Oid unused_oid(List* taken) {
  Oid candidate = 0xFFFFFFF0U;
  for (;;) {
    bool used = SearchSysCacheExists1(RELOID, ObjectIdGetDatum(candidate));
    ListCell* lc = nullptr;
    foreach (lc, taken) {
      used = used || static_cast<const Hypothetical*>(lfirst(lc))->oid == candidate;
    }
    if (!used) {
      return candidate;
    }
    candidate--;
  }
}

} // namespace

// Parses and checks CREATE INDEX statement `text` (element `position` of the caller's array, or 0) as
// PostgreSQL checks it before building an index. Raises PostgreSQL errors.
Hypothetical* parse_hypothetical(const char* text, int position, List* taken) {
  char where[32] = "";
  if (position > 0) {
    snprintf(where, sizeof where, "indexes[%d]: ", position);
  }
  List* raw = raw_parser(text, RAW_PARSE_DEFAULT);
  if (list_length(raw) != 1 || !IsA(linitial_node(RawStmt, raw)->stmt, IndexStmt)) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%sexpected one CREATE INDEX statement", where), errdetail("It was: %s", text)));
  }
  IndexStmt* stmt = castNode(IndexStmt, linitial_node(RawStmt, raw)->stmt);
  const Oid relid = RangeVarGetRelidExtended(stmt->relation, AccessShareLock, 0, nullptr, nullptr);
  const char kind = get_rel_relkind(relid);
  if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%s\"%s\" is not a table or materialized view", where, get_rel_name(relid)),
                    kind == RELKIND_PARTITIONED_TABLE
                        ? errhint("Name its partitions: each is planned with its own indexes.")
                        : 0));
  }
  if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("%spermission denied for table %s", where, get_rel_name(relid))));
  }
  stmt = transformIndexStmt(relid, stmt, text);

  const char* method = stmt->accessMethod != nullptr ? stmt->accessMethod : "btree";
  const Oid relam = get_index_am_oid(method, false);
  if (relam != BTREE_AM_OID && relam != HASH_AM_OID && relam != BRIN_AM_OID) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%shypothetical indexes are btree, hash or brin, not %s", where, method)));
  }
  const IndexAmRoutine* am = GetIndexAmRoutineByAmId(relam, false);
  const int nkey = list_length(stmt->indexParams);
  const int ninclude = list_length(stmt->indexIncludingParams);
  if (nkey + ninclude > INDEX_MAX_KEYS) {
    ereport(ERROR, (errcode(ERRCODE_TOO_MANY_COLUMNS),
                    errmsg("%scannot use more than %d columns in an index", where, INDEX_MAX_KEYS)));
  }
  if (nkey > 1 && !am->amcanmulticol) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%saccess method \"%s\" does not support multicolumn indexes", where, method)));
  }
  if (ninclude > 0 && !am->amcaninclude) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%saccess method \"%s\" does not support included columns", where, method)));
  }
  if (stmt->unique && !am->amcanunique) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%saccess method \"%s\" does not support unique indexes", where, method)));
  }

  Hypothetical* h = static_cast<Hypothetical*>(palloc0(sizeof(Hypothetical)));
  h->relid = relid;
  h->relam = relam;
  h->ncolumns = nkey + ninclude;
  h->nkeycolumns = nkey;
  h->unique = stmt->unique;
  h->deduplicate = relam == BTREE_AM_OID && !stmt->unique && ninclude == 0;
  h->pages_per_range = 128;
  h->indexkeys = static_cast<int*>(palloc0(sizeof(int) * h->ncolumns));
  h->canreturn = static_cast<bool*>(palloc0(sizeof(bool) * h->ncolumns));
  h->collations = static_cast<Oid*>(palloc0(sizeof(Oid) * nkey));
  h->opfamily = static_cast<Oid*>(palloc0(sizeof(Oid) * nkey));
  h->opcintype = static_cast<Oid*>(palloc0(sizeof(Oid) * nkey));
  h->reverse_sort = static_cast<bool*>(palloc0(sizeof(bool) * nkey));
  h->nulls_first = static_cast<bool*>(palloc0(sizeof(bool) * nkey));

  List* columns = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
  StringInfoData names;
  initStringInfo(&names);
  for (int i = 0; i < h->ncolumns; i++) {
    IndexElem* elem = castNode(IndexElem, list_nth(columns, i));
    const bool key = i < nkey;
    Oid type = InvalidOid;
    Oid collation = InvalidOid;
    if (elem->name != nullptr) {
      const AttrNumber att = get_attnum(relid, elem->name);
      if (att == InvalidAttrNumber) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("%scolumn \"%s\" does not exist", where, elem->name)));
      }
      if (att < 0) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%sindex creation on system columns is not supported", where)));
      }
      int32 typmod = -1;
      get_atttypetypmodcoll(relid, att, &type, &typmod, &collation);
      h->indexkeys[i] = att;
      appendStringInfo(&names, "%s%s", i > 0 ? "_" : "", elem->name);
    } else {
      if (!key) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%sexpressions are not supported in included columns", where)));
      }
      Node* expr = elem->expr;
      if (contain_mutable_functions(expr)) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                        errmsg("%sfunctions in index expression must be marked IMMUTABLE", where)));
      }
      type = exprType(expr);
      collation = exprCollation(expr);
      if (IsA(expr, Var) && reinterpret_cast<Var*>(expr)->varattno > 0) {
        h->indexkeys[i] = reinterpret_cast<Var*>(expr)->varattno;
        appendStringInfo(&names, "%s%s", i > 0 ? "_" : "",
                         get_attname(relid, reinterpret_cast<Var*>(expr)->varattno, false));
      } else {
        expr = eval_const_expressions(nullptr, expr);
        fix_opfuncids(expr);
        h->indexprs = lappend(h->indexprs, expr);
        appendStringInfo(&names, "%sexpr", i > 0 ? "_" : "");
      }
    }
    if (elem->collation != NIL) {
      if (!type_is_collatable(type)) {
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%scollations are not supported by type %s", where, format_type_be(type))));
      }
      collation = get_collation_oid(elem->collation, false);
    }
    h->canreturn[i] = relam == BTREE_AM_OID;
    if (!key) {
      if (elem->opclass != NIL || elem->ordering != SORTBY_DEFAULT ||
          elem->nulls_ordering != SORTBY_NULLS_DEFAULT) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                        errmsg("%sincluded columns take no operator class, ordering or collation", where)));
      }
      continue;
    }
    const Oid opclass = ResolveOpClass(elem->opclass, type, method, relam);
    h->opfamily[i] = get_opclass_family(opclass);
    h->opcintype[i] = get_opclass_input_type(opclass);
    h->collations[i] = type_is_collatable(type) ? collation : InvalidOid;
    if (!am->amcanorder &&
        (elem->ordering != SORTBY_DEFAULT || elem->nulls_ordering != SORTBY_NULLS_DEFAULT)) {
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("%saccess method \"%s\" does not support ASC/DESC options", where, method)));
    }
    h->reverse_sort[i] = elem->ordering == SORTBY_DESC;
    h->nulls_first[i] = elem->nulls_ordering == SORTBY_NULLS_DEFAULT
                            ? h->reverse_sort[i]
                            : elem->nulls_ordering == SORTBY_NULLS_FIRST;
    // Deduplication needs every key's opclass to tell equal images (not numeric, not float).
    if (h->deduplicate) {
      const Oid proc = get_opfamily_proc(h->opfamily[i], h->opcintype[i], h->opcintype[i], BTEQUALIMAGE_PROC);
      h->deduplicate =
          OidIsValid(proc) &&
          DatumGetBool(OidFunctionCall1Coll(proc, h->collations[i], ObjectIdGetDatum(h->opcintype[i])));
    }
  }
  if (stmt->whereClause != nullptr) {
    Node* pred = stmt->whereClause;
    if (contain_mutable_functions(pred)) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                      errmsg("%sfunctions in index predicate must be marked IMMUTABLE", where)));
    }
    pred = eval_const_expressions(nullptr, pred);
    pred = reinterpret_cast<Node*>(canonicalize_qual(reinterpret_cast<Expr*>(pred), false));
    fix_opfuncids(pred);
    h->indpred = make_ands_implicit(reinterpret_cast<Expr*>(pred));
  }
  ListCell* lc = nullptr;
  foreach (lc, stmt->options) {
    DefElem* option = lfirst_node(DefElem, lc);
    if (strcmp(option->defname, "fillfactor") == 0 && relam != BRIN_AM_OID) {
      h->fillfactor = defGetInt32(option);
      if (h->fillfactor < 10 || h->fillfactor > 100) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%svalue %d out of bounds for option \"fillfactor\"", where, h->fillfactor),
                        errdetail("Valid values are between \"10\" and \"100\".")));
      }
    } else if (strcmp(option->defname, "deduplicate_items") == 0 && relam == BTREE_AM_OID) {
      h->deduplicate = h->deduplicate && defGetBoolean(option);
    } else if (strcmp(option->defname, "pages_per_range") == 0 && relam == BRIN_AM_OID) {
      h->pages_per_range = defGetInt32(option);
      if (h->pages_per_range < 1 || h->pages_per_range > 131072) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%svalue %d out of bounds for option \"pages_per_range\"", where,
                               h->pages_per_range)));
      }
    } else if (strcmp(option->defname, "autosummarize") != 0 && strcmp(option->defname, "fastupdate") != 0) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("%sunrecognized parameter \"%s\"", where, option->defname)));
    }
  }
  // Named as CREATE INDEX would name it (unless named), and unlike the others of this call.
  const char* name = stmt->idxname;
  if (name == nullptr) {
    name = ChooseRelationName(get_rel_name(relid), names.data, "idx", get_rel_namespace(relid), false);
  }
  char* unique_name = pstrdup(name);
  for (int n = 1;; n++) {
    bool clash = false;
    foreach (lc, taken) {
      clash = clash || strcmp(static_cast<const Hypothetical*>(lfirst(lc))->name, unique_name) == 0;
    }
    if (!clash) {
      break;
    }
    unique_name = psprintf("%s%d", name, n);
  }
  h->name = unique_name;
  h->oid = unused_oid(taken);
  return h;
}

const char* hypothetical_name(const Hypothetical* h) {
  return h->name;
}

namespace {

// The hypothetical indexes a plan scans, in the order given.
void collect_used(Plan* plan, bool* used, List* hypothetical);

void collect_list(List* plans, bool* used, List* hypothetical) {
  ListCell* lc = nullptr;
  foreach (lc, plans) {
    collect_used(static_cast<Plan*>(lfirst(lc)), used, hypothetical);
  }
}

void collect_used(Plan* plan, bool* used, List* hypothetical) {
  if (plan == nullptr) {
    return;
  }
  check_stack_depth();
  Oid index = InvalidOid;
  switch (nodeTag(plan)) {
  case T_IndexScan:
    index = reinterpret_cast<IndexScan*>(plan)->indexid;
    break;
  case T_IndexOnlyScan:
    index = reinterpret_cast<IndexOnlyScan*>(plan)->indexid;
    break;
  case T_BitmapIndexScan:
    index = reinterpret_cast<BitmapIndexScan*>(plan)->indexid;
    break;
  case T_Append:
    collect_list(reinterpret_cast<Append*>(plan)->appendplans, used, hypothetical);
    break;
  case T_MergeAppend:
    collect_list(reinterpret_cast<MergeAppend*>(plan)->mergeplans, used, hypothetical);
    break;
  case T_BitmapAnd:
    collect_list(reinterpret_cast<BitmapAnd*>(plan)->bitmapplans, used, hypothetical);
    break;
  case T_BitmapOr:
    collect_list(reinterpret_cast<BitmapOr*>(plan)->bitmapplans, used, hypothetical);
    break;
  case T_SubqueryScan:
    collect_used(reinterpret_cast<SubqueryScan*>(plan)->subplan, used, hypothetical);
    break;
  case T_CustomScan:
    collect_list(reinterpret_cast<CustomScan*>(plan)->custom_plans, used, hypothetical);
    break;
  default:
    break;
  }
  for (int i = 0; i < list_length(hypothetical); i++) {
    used[i] = used[i] || static_cast<const Hypothetical*>(list_nth(hypothetical, i))->oid == index;
  }
  collect_used(plan->lefttree, used, hypothetical);
  collect_used(plan->righttree, used, hypothetical);
}

// The hypothetical indexes that the plans (and their subplans) scan.
void collect_used_plans(List* plans, bool* used, List* hypothetical) {
  ListCell* lc = nullptr;
  foreach (lc, plans) {
    PlannedStmt* p = lfirst_node(PlannedStmt, lc);
    collect_used(p->planTree, used, hypothetical);
    collect_list(p->subplans, used, hypothetical);
  }
}

} // namespace

RawStmt* one_statement(const char* query, const char* function) {
  List* raw = pg_parse_query(query);
  if (list_length(raw) != 1) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("query must be one statement, not %d", list_length(raw))));
  }
  RawStmt* stmt = linitial_node(RawStmt, raw);
  switch (nodeTag(stmt->stmt)) {
  case T_SelectStmt:
  case T_InsertStmt:
  case T_UpdateStmt:
  case T_DeleteStmt:
  case T_MergeStmt:
    break;
  default:
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("%s plans SELECT, INSERT, UPDATE, DELETE and MERGE statements, not %s", function,
                           CreateCommandName(stmt->stmt))));
  }
  return stmt;
}

List* plan_query(const char* query, const Oid* types, int ntypes, ParamListInfo bound) {
  RawStmt* stmt = one_statement(query, "what_if");
  List* plans = NIL;
  ListCell* lc = nullptr;
  foreach (lc, pg_analyze_and_rewrite_fixedparams(stmt, query, types, ntypes, nullptr)) {
    Query* q = lfirst_node(Query, lc);
    if (q->commandType == CMD_UTILITY) {
      continue; // a rule's NOTIFY
    }
    PlannedStmt* p = pg_plan_query(q, query, CURSOR_OPT_PARALLEL_OK, bound);
    ExecCheckRTPerms(p->rtable, true);
    plans = lappend(plans, p);
  }
  return plans;
}

double total_cost(List* plans) {
  double cost = 0;
  ListCell* lc = nullptr;
  foreach (lc, plans) {
    cost += lfirst_node(PlannedStmt, lc)->planTree->total_cost;
  }
  return cost;
}

List* plan_with(const char* query, const Oid* types, int ntypes, ParamListInfo bound, List* indexes,
                bool* used) {
  List* plans = NIL;
  g_active = indexes;
  PG_TRY();
  {
    plans = plan_query(query, types, ntypes, bound);
    collect_used_plans(plans, used, indexes);
  }
  PG_FINALLY();
  { g_active = NIL; }
  PG_END_TRY();
  return plans;
}

double cost_with_index(const char* query, const Oid* types, int ntypes, ParamListInfo bound,
                       const char* index, bool* used) {
  List* indexes = list_make1(parse_hypothetical(index, 0, NIL));
  *used = false;
  return total_cost(plan_with(query, types, ntypes, bound, indexes, used));
}

char* explain_json(List* plans, const char* query, ParamListInfo bound, bool verbose, bool analyze,
                   List* indexes) {
  ExplainState* es = NewExplainState();
  es->format = EXPLAIN_FORMAT_JSON;
  es->verbose = verbose;
  es->analyze = analyze;
  es->buffers = analyze;
  es->timing = analyze;
  es->summary = analyze;
  g_named = indexes;
  PG_TRY();
  {
    ExplainBeginOutput(es);
    ListCell* lc = nullptr;
    foreach (lc, plans) {
      ExplainOnePlan(lfirst_node(PlannedStmt, lc), nullptr, es, query, bound, nullptr, nullptr, nullptr);
      if (lnext(plans, lc) != nullptr) {
        ExplainSeparatePlans(es);
      }
      if (analyze) {
        CommandCounterIncrement();
      }
    }
    ExplainEndOutput(es);
  }
  PG_FINALLY();
  { g_named = NIL; }
  PG_END_TRY();
  return es->str->data;
}

namespace {

// Rows the planner expects `SELECT FROM ONLY relation [WHERE predicate]` to return.
double estimated_rows(const Hypothetical* h) {
  StringInfoData sql;
  initStringInfo(&sql);
  appendStringInfo(
      &sql, "SELECT FROM ONLY %s",
      quote_qualified_identifier(get_namespace_name(get_rel_namespace(h->relid)), get_rel_name(h->relid)));
  if (h->indpred != NIL) {
    List* context = deparse_context_for(get_rel_name(h->relid), h->relid);
    appendStringInfo(
        &sql, " WHERE %s",
        deparse_expression(reinterpret_cast<Node*>(make_ands_explicit(h->indpred)), context, false, false));
  }
  List* plans = plan_query(sql.data, nullptr, 0, nullptr);
  return linitial_node(PlannedStmt, plans)->planTree->plan_rows;
}

struct Statistics {
  double width;
  double null_frac;
  double distinct; // <0: a share of the rows, 0: unknown
  double frequent; // the most common values listed
  double frequent_share;
  bool found;
};

Statistics column_statistics(Oid relid, AttrNumber att) {
  Statistics s{0, 0, 0, 0, 0, false};
  HeapTuple tuple =
      SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(att), BoolGetDatum(false));
  if (HeapTupleIsValid(tuple)) {
    const Form_pg_statistic st = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(tuple));
    s = Statistics{static_cast<double>(st->stawidth), st->stanullfrac, st->stadistinct, 0, 0, true};
    AttStatsSlot slot;
    if (get_attstatsslot(&slot, tuple, STATISTIC_KIND_MCV, InvalidOid, ATTSTATSSLOT_NUMBERS)) {
      s.frequent = slot.nnumbers;
      for (int i = 0; i < slot.nnumbers; i++) {
        s.frequent_share += slot.numbers[i];
      }
      free_attstatsslot(&slot);
    }
    ReleaseSysCache(tuple);
  }
  return s;
}

// Rows sampled to count the distinct keys of a multicolumn or expression B-tree (as many as ANALYZE
// samples).
constexpr double kSampleRows = 30000;

// For a B-tree whose keys are several columns or an expression, and that deduplicates, the query
// that samples the table to count its distinct keys: the statistics of single columns cannot tell
// how columns vary together (ANALYZE keeps no statistics of expressions that have no index). nullptr
// when the statistics suffice.
char* sample_sql(const Hypothetical* h) {
  bool needed = h->nkeycolumns > 1 || h->indexkeys[0] == 0;
  if (!needed) {
    // One column: its statistics suffice unless a few values hold most rows (ANALYZE's estimate of
    // the distinct values is then far too low: 7,359 for 100,000 distinct beside one value in 80%).
    const Statistics st = column_statistics(h->relid, static_cast<AttrNumber>(h->indexkeys[0]));
    needed = st.frequent_share > 0.3;
  }
  if (h->relam != BTREE_AM_OID || !h->deduplicate || !needed) {
    return nullptr;
  }
  const char* relname = get_rel_name(h->relid);
  List* context = deparse_context_for(relname, h->relid);
  StringInfoData keys;
  initStringInfo(&keys);
  ListCell* expression = list_head(h->indexprs);
  for (int i = 0; i < h->nkeycolumns; i++) {
    if (i > 0) {
      appendStringInfoString(&keys, ", ");
    }
    if (h->indexkeys[i] != 0) {
      appendStringInfoString(
          &keys, quote_identifier(get_attname(h->relid, static_cast<AttrNumber>(h->indexkeys[i]), false)));
    } else {
      appendStringInfo(&keys, "(%s)",
                       deparse_expression(static_cast<Node*>(lfirst(expression)), context, false, false));
      expression = lnext(h->indexprs, expression);
    }
  }
  Relation rel = table_open(h->relid, AccessShareLock);
  const double tuples = std::max<double>(rel->rd_rel->reltuples, 1);
  table_close(rel, AccessShareLock);
  const double percent = std::min(100.0, 100.0 * kSampleRows / tuples);
  StringInfoData sql;
  initStringInfo(&sql);
  appendStringInfo(
      &sql,
      "SELECT count(*)::float8, (count(*) FILTER (WHERE n = 1))::float8, coalesce(sum(n), 0)::float8, "
      "(count(*) FILTER (WHERE n >= GREATEST(10, total / 1000)))::float8, "
      "coalesce(sum(n) FILTER (WHERE n >= GREATEST(10, total / 1000)), 0)::float8 "
      "FROM (SELECT n, sum(n) OVER () AS total FROM (SELECT count(*) AS n FROM ONLY %s TABLESAMPLE "
      "SYSTEM (%g) REPEATABLE (0)%s%s GROUP BY %s) AS g) AS g",
      quote_qualified_identifier(get_namespace_name(get_rel_namespace(h->relid)), relname), percent,
      h->indpred != NIL ? " WHERE " : "",
      h->indpred != NIL
          ? deparse_expression(reinterpret_cast<Node*>(make_ands_explicit(h->indpred)), context, false, false)
          : "",
      keys.data);
  return sql.data;
}

// The model of what CREATE INDEX would write for h (see index_size.hpp).
// sampled: distinct keys, keys seen once, rows, frequent keys (10 rows or 0.1% of the sample) and
// their rows, of the sample sample_sql() took (all 0: none).
IndexModel size_model(const Hypothetical* h, const std::array<double, 5>& sampled) {
  IndexModel m{};
  m.method = h->relam == HASH_AM_OID   ? IndexMethod::hash
             : h->relam == BRIN_AM_OID ? IndexMethod::brin
                                       : IndexMethod::btree;
  m.rows = estimated_rows(h);
  m.fillfactor = h->fillfactor;
  m.deduplicate = h->deduplicate;
  m.pages_per_range = h->pages_per_range;
  Relation rel = table_open(h->relid, AccessShareLock);
  m.table_pages = RelationGetNumberOfBlocks(rel);
  const double table_rows = rel->rd_rel->reltuples > 0 ? rel->rd_rel->reltuples : m.rows;
  ListCell* expression = list_head(h->indexprs);
  double distinct = 1;
  Statistics frequent{0, 0, 0, 0, 0, false}; // the first key's
  for (int i = 0; i < h->ncolumns; i++) {
    IndexColumn c;
    c.key = i < h->nkeycolumns;
    Oid type = InvalidOid;
    int32 typmod = -1;
    Statistics st{0, 0, 0, 0, 0, false};
    if (h->indexkeys[i] != 0) {
      const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), h->indexkeys[i] - 1);
      type = att->atttypid;
      typmod = att->atttypmod;
      st = column_statistics(h->relid, static_cast<AttrNumber>(h->indexkeys[i]));
    } else {
      Node* expr = static_cast<Node*>(lfirst(expression));
      expression = lnext(h->indexprs, expression);
      type = exprType(expr);
      typmod = exprTypmod(expr);
      // An expression of one column (lower(email)) is taken to vary as the column does.
      List* vars = pull_var_clause(expr, 0);
      if (list_length(vars) == 1) {
        const Var* v = linitial_node(Var, vars);
        st = column_statistics(h->relid, v->varattno);
        if (v->vartype != type) {
          st.width = 0;
        }
      }
    }
    int16 typlen = 0;
    bool byval = false;
    char align = 'c';
    get_typlenbyvalalign(type, &typlen, &byval, &align);
    c.width = st.width > 0 ? st.width : (typlen > 0 ? typlen : get_typavgwidth(type, typmod));
    // A varlena short enough for a one-byte header is stored unaligned.
    c.align = (typlen == -1 && c.width < 127) ? 1
              : align == 'd'                  ? 8
              : align == 'i'                  ? 4
              : align == 's'                  ? 2
                                              : 1;
    c.null_frac = st.null_frac;
    m.add(c);
    if (i == 0) {
      frequent = st;
    }
    if (c.key) {
      const double d = st.distinct > 0   ? st.distinct
                       : st.distinct < 0 ? -st.distinct * table_rows
                                         : table_rows;
      distinct *= std::max(d, 1.0);
    }
  }
  table_close(rel, AccessShareLock);
  const auto [seen, once, sample, frequent_seen, frequent_rows] = sampled;
  if (sample > 0) {
    // The frequent keys as seen; the others by Haas and Stokes' estimator (as ANALYZE's):
    // n d / (n - f1 + f1 n / N), over the rows they hold.
    const double total = std::max(m.rows, sample);
    const double rest = sample - frequent_rows;
    const double rest_total = total * rest / sample;
    const double rest_seen = seen - frequent_seen;
    double rest_distinct = rest_seen;
    if (rest > 0 && rest < rest_total) {
      rest_distinct = rest * rest_seen / (rest - once + once * rest / rest_total);
    }
    distinct = frequent_seen + rest_distinct;
    m.frequent_keys = frequent_seen;
    m.frequent_share = frequent_rows / sample;
  }
  m.distinct_keys = std::min(distinct, std::max(m.rows, 1.0));
  if (h->nkeycolumns == 1 && sample <= 0) {
    m.frequent_keys = frequent.frequent;
    m.frequent_share = frequent.frequent_share;
  }
  return m;
}

struct WhatIf {
  double before;
  double after;
  bool* used;
  char* plan;
};

} // namespace

double distinct_values(Oid relid, AttrNumber column) {
  const Statistics st = column_statistics(relid, column);
  if (st.distinct >= 0) {
    return st.distinct;
  }
  double rows = 0;
  if (HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid)); HeapTupleIsValid(tuple)) {
    rows = std::max<double>(reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->reltuples, 0);
    ReleaseSysCache(tuple);
  }
  return -st.distinct * rows;
}

int64_t estimate_bytes(Hypothetical* h) {
  std::array<double, 5> sampled = {0, 0, 0, 0, 0};
  if (const char* sql = pg::guard([&] { return sample_sql(h); }); sql != nullptr) {
    pg::SpiConnection spi;
    const pg::SpiResult r = spi.execute(sql, {}, true);
    for (size_t i = 0; i < sampled.size(); ++i) {
      sampled[i] = r.number(0, static_cast<int>(i)).value_or(0);
    }
  }
  const IndexModel model = pg::guard([&] { return size_model(h, sampled); });
  return estimate_index_bytes(model);
}

void init() {
  g_prev_planner = planner_hook;
  planner_hook = counting_planner;
  g_prev_relation_info = get_relation_info_hook;
  get_relation_info_hook = hypothetical_relation_info;
  g_prev_index_name = explain_get_index_name_hook;
  explain_get_index_name_hook = hypothetical_index_name;
  init_capture();
}

} // namespace autoreport::analyze

using namespace autoreport;
using autoreport::analyze::Hypothetical;

AUTOREPORT_FUNCTION(autoreport_what_if) {
  const std::string query = pg::text_arg(fcinfo, 0, "query");
  if (PG_ARGISNULL(1)) {
    throw Error(sqlstate::invalid_parameter_value, "indexes must not be null")
        .with_hint("Pass an array of CREATE INDEX statements (an empty one costs the query as it is).");
  }
  const std::vector<std::optional<std::string>> statements = pg::text_array(PG_GETARG_DATUM(1));
  if (statements.size() > static_cast<size_t>(analyze::kMaxIndexes)) {
    throw Error(sqlstate::program_limit_exceeded,
                "what_if takes at most " + std::to_string(analyze::kMaxIndexes) + " indexes at once, not " +
                    std::to_string(statements.size()));
  }
  List* indexes = NIL;
  for (size_t i = 0; i < statements.size(); ++i) {
    if (!statements[i]) {
      throw Error(sqlstate::invalid_parameter_value, "indexes[" + std::to_string(i + 1) + "] is null");
    }
    indexes = pg::guard([&] {
      return lappend(indexes,
                     analyze::parse_hypothetical(statements[i]->c_str(), static_cast<int>(i + 1), indexes));
    });
  }
  const double before =
      pg::guard([&] { return analyze::total_cost(analyze::plan_query(query.c_str(), nullptr, 0, nullptr)); });
  const analyze::WhatIf result = pg::guard([&] {
    bool* used = static_cast<bool*>(palloc0(sizeof(bool) * std::max(1, list_length(indexes))));
    List* plans = analyze::plan_with(query.c_str(), nullptr, 0, nullptr, indexes, used);
    return analyze::WhatIf{before, analyze::total_cost(plans), used,
                           analyze::explain_json(plans, query.c_str(), nullptr, false, false, indexes)};
  });
  std::vector<std::optional<std::string>> names;
  for (int i = 0; i < list_length(indexes); ++i) {
    if (result.used[i]) {
      names.emplace_back(static_cast<const Hypothetical*>(list_nth(indexes, i))->name);
    }
  }
  pg::TupleSink sink(fcinfo);
  const std::array<Datum, 4> values = {Float8GetDatum(result.before), Float8GetDatum(result.after),
                                       pg::make_text_array(names), pg::input_value(JSONOID, result.plan)};
  const std::array<bool, 4> nulls = {false, false, false, false};
  sink.put(values, nulls);
  return static_cast<Datum>(0);
}

AUTOREPORT_FUNCTION(autoreport_estimate_index_size) {
  const std::string statement = pg::text_arg(fcinfo, 0, "statement");
  Hypothetical* h = pg::guard([&] { return analyze::parse_hypothetical(statement.c_str(), 0, NIL); });
  PG_RETURN_INT64(analyze::estimate_bytes(h));
}
