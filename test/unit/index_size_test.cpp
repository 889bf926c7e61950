// The index size model against indexes PostgreSQL 15 built (200,000 rows; sizes from pg_relation_size),
// and the planner's page count against HypoPG's for the same index.
#include "analyze/index_size.hpp"

#include <gtest/gtest.h>

namespace autoreport::analyze {
namespace {

IndexModel btree(double rows, double distinct, std::initializer_list<IndexColumn> columns) {
  IndexModel m;
  m.rows = rows;
  m.distinct_keys = distinct;
  for (const IndexColumn& c : columns) {
    m.add(c);
  }
  return m;
}

void expect_within(int64_t estimate, double real, double tolerance) {
  EXPECT_GE(static_cast<double>(estimate), real * (1 - tolerance))
      << "estimate " << estimate << ", real " << real;
  EXPECT_LE(static_cast<double>(estimate), real * (1 + tolerance))
      << "estimate " << estimate << ", real " << real;
}

TEST(IndexSize, AUniqueIntegerBTreeIsTwentyBytesARowAtNinetyPercent) {
  // CREATE INDEX ON t (id): 4,513,792 bytes.
  expect_within(estimate_index_bytes(btree(200000, 200000, {{4, 4, 0, true}})), 4513792, 0.02);
}

TEST(IndexSize, DuplicateKeysAreDeduplicatedUnlessTurnedOff) {
  // CREATE INDEX ON t (a), a = i % 100: 1,474,560 bytes; WITH (deduplicate_items = off): 4,521,984.
  IndexModel m = btree(200000, 100, {{4, 4, 0, true}});
  expect_within(estimate_index_bytes(m), 1474560, 0.1);
  m.deduplicate = false;
  expect_within(estimate_index_bytes(m), 4521984, 0.02);
}

TEST(IndexSize, AFewFrequentKeysAreCountedApartFromTheRest) {
  // 500,000 rows, 80% of them one value, the rest distinct: 5,038,080 bytes.
  IndexModel m = btree(500000, 100001, {{4, 4, 0, true}});
  m.frequent_keys = 1;
  m.frequent_share = 0.8;
  expect_within(estimate_index_bytes(m), 5038080, 0.05);
  m.frequent_keys = 0; // taken as 100,001 keys of 5 rows each, it would be 20% too large
  EXPECT_GT(static_cast<double>(estimate_index_bytes(m)), 5038080 * 1.15);
}

TEST(IndexSize, TextKeysAreUnalignedAndFillfactorLeavesRoom) {
  // CREATE INDEX ON t (b), b = md5(i::text) (33 bytes stored): 11,829,248 bytes.
  expect_within(estimate_index_bytes(btree(200000, 200000, {{33, 1, 0, true}})), 11829248, 0.02);
  // CREATE INDEX ON t (a) WITH (fillfactor = 50), a = i % 100: 2,490,368 bytes.
  IndexModel m = btree(200000, 100, {{4, 4, 0, true}});
  m.fillfactor = 50;
  expect_within(estimate_index_bytes(m), 2490368, 0.1);
}

TEST(IndexSize, IncludedColumnsAreStoredAndNeverDeduplicated) {
  // CREATE INDEX ON t (d) INCLUDE (a): 4,521,984 bytes.
  IndexModel m = btree(200000, 1000, {{4, 4, 0, true}, {4, 4, 0, false}});
  m.deduplicate = false;
  expect_within(estimate_index_bytes(m), 4521984, 0.02);
}

TEST(IndexSize, HashIndexesHaveTheBucketsHashbuildAllocatesAndOverflowWithDuplicates) {
  // USING hash (b), distinct: 6,676,480 bytes (768 buckets, 45 overflow pages); USING hash (a), 100
  // values: 9,617,408 bytes.
  IndexModel m = btree(200000, 200000, {{33, 1, 0, true}});
  m.method = IndexMethod::hash;
  expect_within(estimate_index_bytes(m), 6676480, 0.03);
  m.distinct_keys = 100;
  expect_within(estimate_index_bytes(m), 9617408, 0.03);
}

TEST(IndexSize, BrinIndexesHaveASummaryAPageRange) {
  IndexModel m = btree(200000, 0, {{4, 4, 0, true}});
  m.method = IndexMethod::brin;
  m.table_pages = 2440;
  EXPECT_EQ(estimate_index_bytes(m), 3 * 8192); // metapage, one revmap page, one regular page
}

TEST(IndexSize, AnEmptyTableStillHasAMetapageAndARoot) {
  EXPECT_EQ(estimate_index_bytes(btree(0, 0, {{4, 4, 0, true}})), 2 * 8192);
}

TEST(IndexSize, ThePlannerIsToldHypoPGsPageCount) {
  // hypopg_relation_size() of CREATE INDEX ON t (id) over 200,000 rows: 5,218,304 bytes (637 pages).
  EXPECT_EQ(planner_pages(200000, 4, 1, 0), 637);
  EXPECT_EQ(planner_pages(1, 4, 1, 0), 1);
}

} // namespace
} // namespace autoreport::analyze
