// Reading EXPLAIN (FORMAT JSON) plans: each finding from the fields PostgreSQL 15 prints for it.
#include "analyze/plan_rules.hpp"
#include "common/error.hpp"

#include <gtest/gtest.h>

namespace autoreport::analyze {
namespace {

std::vector<std::string> names(const PlanReading& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    out.push_back(f.finding);
  }
  return out;
}

const Finding* find(const PlanReading& r, const std::string& finding) {
  for (const Finding& f : r.findings) {
    if (f.finding == finding) {
      return &f;
    }
  }
  return nullptr;
}

TEST(PlanRules, ASortThatSpillsAsksForTheMemoryThatKeepsItInMemory) {
  const PlanReading r =
      read_plan(R"J([{"Plan": {"Node Type": "Sort", "Plan Rows": 200000, "Actual Rows": 200000,
    "Actual Loops": 1, "Sort Method": "external merge", "Sort Space Used": 9800, "Sort Space Type": "Disk",
    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "public", "Alias": "t", "Plan Rows": 200000,
    "Actual Rows": 200000, "Actual Loops": 1}]}, "Execution Time": 150.0}])J",
                4096);
  const Finding* f = find(r, "sort spills to disk");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, "high");
  EXPECT_EQ(f->node, "Sort (node 1)");
  EXPECT_EQ(f->fix,
            "SET work_mem = '29MB' (an in-memory sort needs about three times what it wrote to disk)");
  ASSERT_EQ(r.seq_scans.size(), 1U);
  EXPECT_EQ(r.seq_scans[0].relation, "t");
  EXPECT_TRUE(r.analyzed);
}

TEST(PlanRules, MisestimatesAreReportedWhereTheyStartWithTheirScale) {
  const std::string plan =
      R"J([{"Plan": {"Node Type": "Hash Join", "Plan Rows": 10, "Actual Rows": 20000, "Actual Loops": 1,
    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "public", "Alias": "t", "Plan Rows": 20,
      "Actual Rows": 20000, "Actual Loops": 1, "Filter": "((t.a = 5) AND (t.d = 7))", "Rows Removed by Filter": 180000},
     {"Node Type": "Hash", "Plan Rows": 100, "Actual Rows": 100, "Actual Loops": 1,
      "Plans": [{"Node Type": "Seq Scan", "Relation Name": "u", "Alias": "u", "Plan Rows": 100, "Actual Rows": 100,
      "Actual Loops": 1}]}]}, "Execution Time": 30.0}])J";
  const PlanReading r = read_plan(plan, 4096);
  ASSERT_EQ(r.findings.size(), 1U) << r.findings.size();
  EXPECT_EQ(r.findings[0].finding, "row misestimate x1000");
  EXPECT_EQ(r.findings[0].severity, "high");
  EXPECT_EQ(r.findings[0].node, "Seq Scan on t (node 2)");
  EXPECT_EQ(
      r.findings[0].fix,
      "CREATE STATISTICS ON a, d FROM public.t; ANALYZE public.t (the conditions on a, d are estimated as if "
      "independent)");
  EXPECT_TRUE(r.seq_scans[0].misestimated);
  EXPECT_EQ(*r.seq_scans[0].removed, 180000);
}

TEST(PlanRules, AMisestimateOnOneColumnAsksForAnalyze) {
  const PlanReading r = read_plan(R"J([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t",
    "Plan Rows": 50, "Actual Rows": 900, "Actual Loops": 1, "Filter": "(a > 5)"}, "Execution Time": 3.0}])J",
                                  4096);
  ASSERT_EQ(names(r), std::vector<std::string>{"row misestimate x10"});
  EXPECT_EQ(r.findings[0].severity, "medium");
  EXPECT_EQ(r.findings[0].fix, "ANALYZE t");
}

TEST(PlanRules, NodesNeverExecutedAndPlansWithoutAnalyzeMakeNoMisestimate) {
  const PlanReading r = read_plan(R"J([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t",
    "Plan Rows": 50, "Actual Rows": 0, "Actual Loops": 0}}, {"Plan": {"Node Type": "Seq Scan", "Relation Name": "u",
    "Alias": "u", "Plan Rows": 50}}])J",
                                  4096);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.relations.size(), 2U);
}

TEST(PlanRules, HashBatchesHashAggregateSpillsLossyBitmapsHeapFetchesAndWorkers) {
  const PlanReading r =
      read_plan(R"J([{"Plan": {"Node Type": "Gather", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
    "Workers Planned": 2, "Workers Launched": 0, "Plans": [
    {"Node Type": "Aggregate", "Strategy": "Hashed", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
     "HashAgg Batches": 5, "Peak Memory Usage": 4200, "Disk Usage": 12000, "Plans": [
      {"Node Type": "Hash Join", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1, "Plans": [
       {"Node Type": "Bitmap Heap Scan", "Relation Name": "t", "Alias": "t", "Plan Rows": 1, "Actual Rows": 1,
        "Actual Loops": 1, "Exact Heap Blocks": 100, "Lossy Heap Blocks": 900},
       {"Node Type": "Hash", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1, "Hash Batches": 8,
        "Original Hash Batches": 8, "Peak Memory Usage": 3000, "Plans": [
         {"Node Type": "Index Only Scan", "Relation Name": "u", "Schema": "s", "Alias": "u", "Plan Rows": 1,
          "Actual Rows": 1, "Actual Loops": 1, "Heap Fetches": 1}]}]}]}]}, "Execution Time": 90.0}])J",
                4096);
  EXPECT_EQ(names(r),
            (std::vector<std::string>{"lossy bitmap heap scan", "index-only scan fetches from the heap",
                                      "hash in batches", "hash aggregate spills to disk",
                                      "parallel workers not launched"}));
  EXPECT_EQ(find(r, "index-only scan fetches from the heap")->fix, "VACUUM s.u");
  EXPECT_EQ(find(r, "hash in batches")->fix,
            "SET work_mem = '15MB' (hash tables may use work_mem x hash_mem_multiplier, 2 by default)");
  EXPECT_EQ(find(r, "lossy bitmap heap scan")->fix,
            "SET work_mem = '60MB' (the bitmap must hold a bit per row of each block)");
}

TEST(PlanRules, NestedLoopsOverLargeInputsAndSubplansRunOftenAndCtesRescanned) {
  const PlanReading r =
      read_plan(R"J([{"Plan": {"Node Type": "Nested Loop", "Plan Rows": 50000, "Actual Rows": 50000,
    "Actual Loops": 1, "Plans": [
    {"Node Type": "CTE Scan", "CTE Name": "c", "Alias": "c", "Plan Rows": 50000, "Actual Rows": 50000, "Actual Loops": 1},
    {"Node Type": "CTE Scan", "CTE Name": "c", "Alias": "c2", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 50000},
    {"Node Type": "Index Scan", "Parent Relationship": "SubPlan", "Subplan Name": "SubPlan 1", "Relation Name": "v",
     "Alias": "v", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 50000}]}, "Execution Time": 900.0}])J",
                4096);
  EXPECT_EQ(names(r), (std::vector<std::string>{"CTE re-scanned", "subquery re-executed",
                                                "nested loop over a large input"}));
  EXPECT_EQ(find(r, "subquery re-executed")->detail,
            "SubPlan 1 ran 50000 times, once for each row of Nested Loop");
}

TEST(PlanRules, JitThatCostsMoreThanTheQuery) {
  const PlanReading r =
      read_plan(R"J([{"Plan": {"Node Type": "Result", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1},
    "Execution Time": 50.0, "JIT": {"Functions": 3, "Timing": {"Generation": 1.0, "Total": 40.0}}}])J",
                4096);
  ASSERT_NE(find(r, "JIT costs more than the query"), nullptr);
  const PlanReading quick = read_plan(R"J([{"Plan": {"Node Type": "Result", "Plan Rows": 1, "Actual Rows": 1,
    "Actual Loops": 1}, "Execution Time": 500.0, "JIT": {"Timing": {"Total": 40.0}}}])J",
                                      4096);
  EXPECT_TRUE(quick.findings.empty());
}

TEST(PlanRules, ColumnsWrappedInAFunctionOrACastAreNoted) {
  const PlanReading r = read_plan(R"J([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t",
    "Plan Rows": 1, "Filter": "((lower(t.b) = 'x'::text) AND ((t.at)::date = '2020-01-01'::date))"}}])J",
                                  4096);
  ASSERT_EQ(r.wrapped.size(), 2U);
  EXPECT_EQ(r.wrapped[0].column, "b");
  EXPECT_EQ(r.wrapped[0].expression, "lower(b)");
  EXPECT_EQ(r.wrapped[1].column, "at");
  EXPECT_EQ(r.wrapped[1].expression, "(at)::date");
}

TEST(PlanRules, ConditionsOnColumnsAreReadFromFilters) {
  const std::vector<ColumnCondition> c = column_conditions(
      R"J(((t.a = 5) AND (d > '2021-01-01'::date) AND ("Mixed" = ANY ('{1,2}'::integer[]))))J");
  ASSERT_EQ(c.size(), 3U);
  EXPECT_EQ(c[0].column, "a");
  EXPECT_TRUE(c[0].equality);
  EXPECT_EQ(c[1].column, "d");
  EXPECT_FALSE(c[1].equality);
  EXPECT_EQ(c[2].column, "\"Mixed\"");
  EXPECT_TRUE(c[2].equality);
}

TEST(PlanRules, TextThatIsNotAPlanIsRefused) {
  for (const char* bad : {"", "[]", "{}", "[1]", "[{\"Plan\": 1}]x", "not json"}) {
    EXPECT_THROW(read_plan(bad, 4096), Error) << bad;
  }
}

TEST(PlanRules, MemorySettingsAreWholeMegabytes) {
  EXPECT_EQ(memory_setting(1), "1MB");
  EXPECT_EQ(memory_setting(1025), "2MB");
  EXPECT_EQ(memory_setting(0), "1MB");
}

} // namespace
} // namespace autoreport::analyze

namespace autoreport::analyze {
namespace {

TEST(PlanRules, NodesALimitStoppedEarlyAreNotMisestimated) {
  // A top-20 sort under a Limit returns 20 of the 24,000 rows it planned: expected, not a misestimate.
  // Above the Limit, and for more rows than planned below it, misestimates still count.
  const PlanReading r = read_plan(R"J([{"Plan": {"Node Type": "Limit", "Plan Rows": 20, "Actual Rows": 20,
    "Actual Loops": 1, "Plans": [{"Node Type": "Sort", "Plan Rows": 24000, "Actual Rows": 20, "Actual Loops": 1,
    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "public", "Alias": "t",
    "Plan Rows": 24000, "Actual Rows": 24500, "Actual Loops": 1}]}]}, "Execution Time": 80.0}])J",
                                  4096);
  EXPECT_EQ(find(r, "row misestimate x10"), nullptr);
  const PlanReading under = read_plan(R"J([{"Plan": {"Node Type": "Limit", "Plan Rows": 20, "Actual Rows": 20,
    "Actual Loops": 1, "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Schema": "public", "Alias": "t",
    "Filter": "(a = 1)", "Plan Rows": 2, "Actual Rows": 20, "Actual Loops": 1}]}, "Execution Time": 80.0}])J",
                                      4096);
  EXPECT_NE(find(under, "row misestimate x10"), nullptr);
}

} // namespace
} // namespace autoreport::analyze
