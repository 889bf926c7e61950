#include "analyze/index_size.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "common/pure.hpp"

namespace autoreport::analyze {

namespace {

constexpr double kBlock = 8192;
constexpr double kPageHeader = 24;
constexpr double kLinePointer = 4;
constexpr double kTupleHeader = 8; // an index tuple's heap TID and size/flags
constexpr double kNullBitmap = 4;  // present when any column of the tuple is NULL
constexpr double kHeapTid = 6;     // one entry of a posting list

double align_up(double x, double a) {
  return std::ceil(x / a) * a;
}

double maxalign(double x) {
  return align_up(x, 8);
}

// The bytes of the columns' data (from offset `start`), each column counted by its expected width.
double data_end(std::span<const IndexColumn> columns, double start, bool keys_only, bool with_nulls) {
  double off = start;
  for (const IndexColumn& c : columns) {
    if (keys_only && !c.key) {
      continue;
    }
    const double width = with_nulls ? c.width * (1 - c.null_frac) : c.width;
    off = align_up(off, std::max(1, c.align)) + width;
  }
  return off;
}

// An index tuple's bytes (MAXALIGNed, no line pointer), averaged over rows with and without NULLs.
double tuple_bytes(std::span<const IndexColumn> columns, bool keys_only) {
  double all_present = 1;
  for (const IndexColumn& c : columns) {
    if (!keys_only || c.key) {
      all_present *= 1 - std::clamp(c.null_frac, 0.0, 1.0);
    }
  }
  const double full = maxalign(data_end(columns, kTupleHeader, keys_only, false));
  const double nulls = maxalign(data_end(columns, maxalign(kTupleHeader + kNullBitmap), keys_only, true));
  return all_present * full + (1 - all_present) * nulls;
}

double btree_pages(const IndexModel& m) {
  const double usable = kBlock - kPageHeader - 16; // the B-tree page's special space
  const int fillfactor = m.fillfactor > 0 ? m.fillfactor : 90;
  const double leaf_room = usable - kBlock * (100 - fillfactor) / 100;
  const double inner_room = usable - kBlock * 30 / 100; // upper levels are filled to 70%
  const std::span<const IndexColumn> columns(m.columns.data(), static_cast<size_t>(m.ncolumns));
  const double tuple = tuple_bytes(columns, false);
  const double key = tuple_bytes(columns, true);
  const double rows = std::max(0.0, m.rows);
  const double distinct = m.distinct_keys > 0 ? std::min(m.distinct_keys, rows) : rows;
  // The bytes of `part` rows holding `keys` distinct keys, as many rows each.
  const auto bytes = [&](double part, double keys) {
    const double plain = part * (tuple + kLinePointer);
    if (!m.deduplicate || keys <= 0 || part <= keys) {
      return plain;
    }
    // A key's rows become posting-list tuples of at most half the largest item a page takes.
    const double largest = std::floor((usable - 3 * kLinePointer - 16) / 3 / 8) * 8 - 8;
    const double per_posting = std::max(1.0, std::floor((largest / 2 - maxalign(key)) / kHeapTid));
    const double k = part / keys; // rows a key, on average
    const double postings = std::ceil(k / per_posting);
    const double deduplicated = keys * (postings * (maxalign(key) + kLinePointer + 4) + k * kHeapTid);
    // Between one and two rows a key some keys are single rows (stored as plain tuples).
    const double share = std::min(1.0, k - 1);
    return share * deduplicated + (1 - share) * plain;
  };
  // The most common keys (their rows together) apart from the others.
  const double frequent = std::min(std::max(0.0, m.frequent_keys), distinct);
  const double frequent_rows = frequent > 0 ? rows * std::clamp(m.frequent_share, 0.0, 1.0) : 0;
  const double leaf_bytes = bytes(frequent_rows, frequent) + bytes(rows - frequent_rows, distinct - frequent);
  // Each leaf but the last holds a high key (a pivot as large as a key).
  const double leaves = std::max(1.0, std::ceil(leaf_bytes / std::max(1.0, leaf_room - key - kLinePointer)));
  double pages = 1 + leaves; // the metapage
  double level = leaves;
  const double per_inner = std::max(2.0, std::floor(inner_room / (key + kLinePointer)));
  while (level > 1) {
    level = std::ceil(level / per_inner);
    pages += level;
  }
  return pages;
}

// The buckets hashbuild allocates for `wanted`: a power of two up to 512, beyond that each doubling
// in four steps.
double hash_buckets(double wanted) {
  if (wanted <= 2) {
    return 2;
  }
  const double group = std::ceil(std::log2(wanted));
  if (group <= 9) {
    return std::pow(2.0, group);
  }
  const double base = std::pow(2.0, group - 1);
  const double quarter = base / 4;
  return base + quarter * std::ceil((wanted - base) / quarter);
}

// Expected overflow pages of a bucket that receives Poisson(mu) distinct keys of `lump` rows each,
// `capacity` rows a page.
double overflow_pages(double mu, double lump, double capacity) {
  if (mu <= 0) {
    return 0;
  }
  double expected = 0;
  const double last = mu + 12 * std::sqrt(mu) + 20;
  double log_p = -mu; // log P(N = 0)
  for (double n = 0; n <= last; n += 1) {
    if (n > 0) {
      log_p += std::log(mu) - std::log(n);
    }
    expected += std::exp(log_p) * std::max(0.0, std::ceil(lump * n / capacity) - 1);
  }
  return expected;
}

double hash_pages(const IndexModel& m) {
  const int fillfactor = m.fillfactor > 0 ? m.fillfactor : 75;
  const double item = 8 + 8 + kLinePointer; // tuple header, the 4-byte hash code aligned, line pointer
  const double per_bucket = std::max(10.0, std::floor(kBlock * fillfactor / 100 / item));
  const double rows = std::max(0.0, m.rows);
  const double buckets = hash_buckets(rows / per_bucket);
  const double capacity = std::floor((kBlock - kPageHeader - 16) / item);
  // Equal keys share a bucket; a key's rows arrive together.
  const double distinct = m.distinct_keys > 0 ? std::min(m.distinct_keys, rows) : rows;
  const double lump = distinct > 0 ? rows / distinct : 1;
  // Between two powers of two, the buckets not split yet take the keys of two.
  const double high = std::pow(2.0, std::ceil(std::log2(buckets)));
  const double unsplit = high - buckets;
  const double split = buckets - unsplit;
  const double overflow = split * overflow_pages(distinct / high, lump, capacity) +
                          unsplit * overflow_pages(2 * distinct / high, lump, capacity);
  const double bitmaps = 1 + std::floor(overflow / (kBlock * 4));
  return 1 + buckets + std::round(overflow) + bitmaps; // metapage, buckets, overflow, bitmap pages
}

double brin_pages(const IndexModel& m) {
  const double ranges = std::max(1.0, std::ceil(m.table_pages / std::max(1, m.pages_per_range)));
  const double revmap_per_page = std::floor((kBlock - kPageHeader - 8) / kHeapTid);
  const double revmap = std::ceil(ranges / revmap_per_page);
  // A summary holds a minimum and a maximum a column.
  double off = kTupleHeader;
  for (int i = 0; i < m.ncolumns; i++) {
    const IndexColumn& c = m.columns[static_cast<size_t>(i)];
    off = align_up(align_up(off, std::max(1, c.align)) + c.width, std::max(1, c.align)) + c.width;
  }
  const double summary = maxalign(off) + kLinePointer;
  const double regular = std::ceil(ranges * summary / (kBlock - kPageHeader - 8));
  return 1 + revmap + regular;
}

} // namespace

double estimate_index_pages(const IndexModel& m) {
  switch (m.method) {
  case IndexMethod::hash:
    return hash_pages(m);
  case IndexMethod::brin:
    return brin_pages(m);
  case IndexMethod::btree:
    break;
  }
  return btree_pages(m);
}

int64_t estimate_index_bytes(const IndexModel& m) {
  return static_cast<int64_t>(estimate_index_pages(m)) * static_cast<int64_t>(kBlock);
}

double planner_pages(double tuples, double width_sum, int columns, int fillfactor) {
  const double line = width_sum + kTupleHeader * columns + maxalign(kLinePointer * columns);
  const double bloat = (200.0 - (fillfactor > 0 ? fillfactor : 90) + 20) / 100;
  const double pages = std::floor(tuples * line * bloat / (kBlock - kPageHeader - 16));
  return std::max(1.0, pages);
}

} // namespace autoreport::analyze
