// The size of an index before it is built: what CREATE INDEX on the table as it is would write.
//
// A B-tree built by CREATE INDEX is written bottom up from sorted input: leaf pages filled to the
// fillfactor (90% by default), each but the rightmost with a high key; upper levels filled to 70%; one
// metapage. Since PostgreSQL 13 equal keys are deduplicated as the leaves are written (posting lists of
// heap TIDs), unless the index is unique, has INCLUDE columns, or an opclass cannot tell equal images
// (numeric, float). A hash index is sized by the buckets CREATE INDEX allocates for the rows; a BRIN
// index by its page ranges.
//
// estimate_index_bytes() models that from the rows, the key widths and the number of distinct keys.
// planner_pages() is the coarser model the planner is given for a hypothetical index, the one HypoPG
// uses (keys' average widths, 8 bytes a column of tuple header, 20% bloat above the fillfactor), so that
// what_if() costs a query exactly as HypoPG does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace autoreport::analyze {

enum class IndexMethod { btree, hash, brin };

struct IndexColumn {
  double width = 0;     // average stored bytes of a non-NULL value (a varlena's header included)
  int align = 1;        // the type's alignment: 1, 2, 4 or 8 (1 for a short varlena)
  double null_frac = 0; // share of rows whose value is NULL
  bool key = true;      // false: an INCLUDE column
};

struct IndexModel {
  void add(const IndexColumn& c) {
    if (ncolumns < static_cast<int>(columns.size())) {
      columns[static_cast<std::size_t>(ncolumns++)] = c;
    }
  }
  IndexMethod method = IndexMethod::btree;
  double rows = 0; // rows the index holds (a partial index: those its predicate keeps)
  // Key columns first, then INCLUDE columns (at most 32, PostgreSQL's INDEX_MAX_KEYS). A fixed array:
  // the model is built by code that PostgreSQL errors may leave by longjmp.
  std::array<IndexColumn, 32> columns{};
  int ncolumns = 0;
  double distinct_keys = 0;  // distinct values of the key columns together (0: as many as rows)
  double frequent_keys = 0;  // of those, the most common ones the statistics list
  double frequent_share = 0; // and the share of the rows they hold
  bool deduplicate = true;   // the opclasses allow deduplication and the index is not unique
  int fillfactor = 0;        // 0: the method's default
  double table_pages = 0;    // the table's pages (BRIN: one summary per pages_per_range)
  int pages_per_range = 128; // BRIN
};

// Pages CREATE INDEX would write (at least 1).
double estimate_index_pages(const IndexModel& m);

// Bytes CREATE INDEX would write: estimate_index_pages() blocks of 8 kB.
int64_t estimate_index_bytes(const IndexModel& m);

// The pages the planner is told a hypothetical B-tree has: HypoPG's model (sum of the columns' average
// widths, 8 bytes of header and 4 of line pointer a column, (200 - fillfactor + 20)% of the data).
double planner_pages(double tuples, double width_sum, int columns, int fillfactor);

} // namespace autoreport::analyze
