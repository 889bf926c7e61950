// The SQL that maintains a managed view, written from its shape. (The regression suite runs it; these
// tests pin down how it is built: the terms of a delta, the hidden columns, the merge of each aggregate.)
#include "views/shape.hpp"

#include "error_check.hpp"

#include <gtest/gtest.h>

namespace autoreport::views {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

Column key(const char* name, const char* expr) {
  Column c;
  c.name = name;
  c.type = "text";
  c.role = Column::Role::key;
  c.expr = expr;
  return c;
}

Column aggregate(const char* name, AggKind kind, const char* arg, const char* type = "numeric") {
  Column c;
  c.name = name;
  c.type = type;
  c.role = Column::Role::aggregate;
  c.kind = kind;
  c.expr = arg;
  if (kind == AggKind::avg) {
    c.sum_type = "numeric";
  }
  return c;
}

// Sales joined to regions: revenue, mean and maximum by region name.
Shape sales() {
  Shape s;
  s.sources = {{"public.sale", "s", "autoreport_log.log_1", {{"c2", "region"}, {"c3", "amount"}}, {}, {}},
               {"public.region", "r", "autoreport_log.log_2", {{"c1", "id"}, {"c2", "name"}}, {}, {}}};
  s.columns = {key("region", "r.name"),
               aggregate("n", AggKind::count_star, ""),
               aggregate("revenue", AggKind::sum, "s.amount"),
               aggregate("mean", AggKind::avg, "s.amount"),
               aggregate("hi", AggKind::max, "s.amount"),
               aggregate("all_big", AggKind::bool_and, "(s.amount > 10)", "boolean")};
  s.quals = "(r.id = s.region)";
  return s;
}

TEST(ViewsShape, HiddenColumnsKeepWhatTheMergeNeeds) {
  const Maintenance m(sales(), "public.v");
  const std::string defs = m.column_definitions();
  EXPECT_NE(defs.find("_ar_count bigint NOT NULL"), std::string::npos);
  EXPECT_NE(defs.find("_ar_2_n bigint"), std::string::npos);     // sum: non-NULL inputs
  EXPECT_NE(defs.find("_ar_3_s numeric"), std::string::npos);    // avg: its exact sum
  EXPECT_NE(defs.find("_ar_4_gone numeric"), std::string::npos); // max: the extreme a delta removed
  EXPECT_NE(defs.find("_ar_5_f bigint"), std::string::npos);     // bool_and: false inputs
  EXPECT_EQ(count(defs, "_ar_1_"), 0u);                          // count(*) needs nothing hidden
  EXPECT_EQ(m.key_index_columns(), "region");
}

TEST(ViewsShape, FullRefreshGroupsTheSourcesByTheKeys) {
  const std::string sql = Maintenance(sales(), "public.v").full_insert();
  EXPECT_EQ(sql.rfind("INSERT INTO public.v (region, n, revenue, mean, hi, all_big, _ar_count, _ar_dirty", 0),
            0u);
  EXPECT_NE(sql.find("FROM public.sale AS s, public.region AS r WHERE (r.id = s.region) GROUP BY r.name"),
            std::string::npos);
}

TEST(ViewsShape, AFullRefreshByDifferenceComparesTheQueryWithTheTableByKey) {
  const Maintenance m(sales(), "public.v");
  EXPECT_EQ(m.key_columns(), std::vector<std::string>{"region"});
  std::vector<std::string> types(m.column_names().size(), "numeric");
  types[0] = "text";
  const std::string sql = m.full_difference(types);
  // The query's rows typed as the table's, under aliases no column of the table can have.
  EXPECT_NE(sql.find("SELECT _ar_q.region::text AS region, _ar_q.n::numeric AS n"), std::string::npos);
  EXPECT_NE(sql.find("FULL JOIN public.v AS _ar_v ON _ar_n.region = _ar_v.region"), std::string::npos);
  // A row only in the table (no _ar_count), only in the query (no ctid), or different in any byte.
  EXPECT_NE(
      sql.find("WHERE _ar_v.ctid IS NULL OR _ar_n._ar_count IS NULL OR NOT (_ar_v OPERATOR(pg_catalog.*=) "
               "_ar_n)"),
      std::string::npos);
  const std::vector<std::string> apply = m.apply_difference("d");
  ASSERT_EQ(apply.size(), 2u);
  EXPECT_EQ(apply[0].rfind(
                "DELETE FROM public.v WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT _ar_old FROM d", 0),
            0u);
  EXPECT_NE(apply[1].find("FROM d WHERE _ar_count IS NOT NULL"), std::string::npos);
  // Types that do not match the columns, or a view without keys, are refused.
  EXPECT_EQ(test::sqlstate_of([&] { m.full_difference({"text"}); }), "XX000");
  Shape one_row = sales();
  one_row.columns.erase(one_row.columns.begin());
  one_row.grouped = false;
  EXPECT_TRUE(Maintenance(one_row, "public.t").key_columns().empty());
  EXPECT_EQ(test::sqlstate_of([&] { Maintenance(one_row, "public.t").full_difference(types); }), "XX000");
}

TEST(ViewsShape, ADeltaHasOneTermPerSubsetOfTheChangedSources) {
  const Maintenance m(sales(), "public.v");
  const std::string one = m.merge({0}, "true");
  EXPECT_EQ(count(one, "UNION ALL"), 0u);
  EXPECT_EQ(count(one, "FROM autoreport_log.log_1 AS l"), 1u);
  EXPECT_EQ(count(one, "autoreport_log.log_2"), 0u);
  // Both changed: sale's delta with region as it is, region's delta with sale as it is, and both
  // deltas, subtracted (inclusion-exclusion over the join).
  const std::string both = m.merge({0, 1}, "true");
  EXPECT_EQ(count(both, "UNION ALL"), 2u);
  EXPECT_EQ(count(both, "(1 * s._ar_sign)"), 1u);
  EXPECT_EQ(count(both, "(1 * r._ar_sign)"), 1u);
  EXPECT_EQ(count(both, "(-1 * s._ar_sign * r._ar_sign)"), 1u);
  // Log columns are read under the source columns' names now.
  EXPECT_NE(both.find("l.c3 AS amount"), std::string::npos);
}

TEST(ViewsShape, TheMergeUpsertsByTheKeysAndReturnsWhatToCleanUp) {
  const std::string sql = Maintenance(sales(), "public.v").merge({0}, "true");
  EXPECT_NE(sql.find("ON CONFLICT (region) DO UPDATE SET"), std::string::npos);
  EXPECT_NE(sql.find("RETURNING v.ctid, v._ar_count, v._ar_dirty"), std::string::npos);
  // A max is lost when a deleted row held it; it is then recomputed rather than guessed.
  EXPECT_NE(
      sql.find("EXCLUDED._ar_4_gone >= v.hi AND (EXCLUDED.hi IS NULL OR EXCLUDED.hi <= EXCLUDED._ar_4_gone)"),
      std::string::npos);
  EXPECT_NE(sql.find("GREATEST(v.hi, EXCLUDED.hi)"), std::string::npos);
}

TEST(ViewsShape, AViewWithoutGroupByKeepsItsOneRow) {
  Shape s = sales();
  s.columns.erase(s.columns.begin());
  s.grouped = false;
  const Maintenance m(s, "public.t");
  EXPECT_EQ(m.key_index_columns(), "");
  const std::string merge = m.merge({0}, "true");
  EXPECT_EQ(merge.rfind("UPDATE public.t AS v SET", 0), 0u);
  EXPECT_EQ(count(merge, "GROUP BY"), 0u);
  EXPECT_EQ(count(m.full_insert(), "GROUP BY"), 0u);
}

TEST(ViewsShape, RecomputationMatchesGroupsWhateverTheirNulls) {
  const std::string sql = Maintenance(sales(), "public.v").recompute();
  EXPECT_NE(
      sql.find("((r.name) IN (SELECT dirty.region FROM public.v AS dirty WHERE dirty.ctid = ANY ($1)) OR "
               "((r.name) IS NULL AND EXISTS (SELECT FROM public.v AS dirty WHERE dirty.ctid = ANY ($1) AND "
               "dirty.region IS NULL)))"),
      std::string::npos);
  EXPECT_NE(sql.find("ON CONFLICT (region) DO UPDATE SET region = EXCLUDED.region"), std::string::npos);
}

// A view without GROUP BY: rows of changed keys are deleted, then rebuilt from the sources as they are.
TEST(ViewsShape, RowsAreFollowedByTheirSourcesKeys) {
  Shape s = sales();
  s.grouped = false;
  s.row_level = true;
  s.columns = {key("region", "r.name"), key("amount", "s.amount")};
  for (Column& c : s.columns) {
    c.role = Column::Role::value;
  }
  s.sources[0].key = {{"c1", "id"}};
  s.sources[0].key_types = {"integer"};
  s.sources[1].key = {{"c1", "id"}};
  s.sources[1].key_types = {"integer"};
  const Maintenance m(s, "public.rows");
  EXPECT_EQ(m.column_definitions(),
            "region text, amount text, _ar_pk0_0 integer NOT NULL, _ar_pk1_0 integer NOT NULL");
  EXPECT_EQ(m.key_index_columns(), "_ar_pk0_0, _ar_pk1_0");
  const std::vector<std::string> steps = m.row_changes({1}, "true");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0],
            "DELETE FROM public.rows WHERE (_ar_pk1_0) IN (SELECT l.c1 FROM autoreport_log.log_2 AS l "
            "WHERE true AND l._ar_sign < 0)");
  EXPECT_NE(steps[1].find("FROM public.sale AS s, public.region AS r WHERE (r.id) IN (SELECT l.c1"),
            std::string::npos);
  EXPECT_NE(steps[1].find("ON CONFLICT DO NOTHING"), std::string::npos);
  EXPECT_EQ(test::sqlstate_of([&] { m.row_changes({}, "true"); }), "XX000");
}

TEST(ViewsShape, HavingFiltersTheGroupsAndStartsAnUnknownGroupDirty) {
  Shape s = sales();
  s.having = "(count(*) > 5)";
  s.having_on_table = "(v.n > 5)";
  const Maintenance m(s, "public.v");
  EXPECT_NE(m.full_insert().find("GROUP BY r.name HAVING (count(*) > 5)"), std::string::npos);
  EXPECT_NE(m.recompute().find("HAVING (count(*) > 5) ON CONFLICT"), std::string::npos);
  const std::string merge = m.merge({0}, "true");
  // A group the table did not hold starts dirty (HAVING may have left it out: only a recomputation knows).
  EXPECT_NE(merge.find("g._ar_c, (true OR g._ar_4_gone IS NOT NULL)"), std::string::npos) << merge;
  EXPECT_NE(merge.find("RETURNING v.ctid, v._ar_count, v._ar_dirty, ((v.n > 5))"), std::string::npos)
      << merge;
  // Without HAVING, every group passes.
  EXPECT_NE(Maintenance(sales(), "public.v").merge({0}, "true").find("v._ar_dirty, true"), std::string::npos);
}

TEST(ViewsShape, RefusesWhatItCannotBuild) {
  EXPECT_EQ(test::sqlstate_of([] { Maintenance(Shape{}, "public.v"); }), "XX000");
  const Maintenance m(sales(), "public.v");
  EXPECT_EQ(test::sqlstate_of([&] { m.merge({}, "true"); }), "XX000");
}

} // namespace
} // namespace autoreport::views
