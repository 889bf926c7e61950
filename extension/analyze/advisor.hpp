// Index selection for a workload under a storage budget.
//
// Candidates come from the columns each query uses on each table: equality and range predicates,
// join keys, GROUP BY and ORDER BY. Single columns, and for each query and table the multi-column
// shapes an index serves best: equality columns first (most distinct values first), then one range
// column, or then the ORDER BY columns; the GROUP BY columns together. Where the query compares a
// column with a constant it writes (status = 'returned'), each shape is also a candidate as a partial
// index WHERE that column = that constant, without the column in its keys.
//
// Selection is Extend-style greedy (Schlosser et al., ICDE 2019; the best performer in Kossmann et
// al., VLDB 2020): each step takes, of adding a candidate or widening a chosen index by one more
// column the same queries use, the option with the largest cost saving per byte that still fits the
// budget. Savings are the planner's costs with the indexes made hypothetical, asked of an Oracle; a
// query's cost is cached per set of chosen indexes that can matter to it (those whose leading column
// the query uses), so a query is planned again only when that set changes. Options are re-costed
// lazily: an option's last ratio bounds it until it reaches the top. At the end, an index that no
// query's plan uses is dropped (and the rest re-costed) until every one is used.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace autoreport::analyze::advisor {

// How a query uses a column (bits).
enum Use : unsigned {
  kEquality = 1,
  kRange = 2,
  kJoin = 4,
  kGroup = 8,
  kOrder = 16,
};

struct ColumnUse {
  uint32_t table;
  int column;
  unsigned uses;
  double distinct; // distinct values expected in the column (orders equality columns)
  int position;    // the column's place in GROUP BY or ORDER BY (0 when neither)
};

// A column compared for equality with a constant written in the query (column = 'returned'): a
// partial index WHERE column = that constant serves the query and leaves the other rows out.
struct Predicate {
  uint32_t table = 0;
  int column = 0;
  std::string value; // the constant as an SQL literal
  auto operator<=>(const Predicate&) const = default;
};

struct Query {
  double weight = 1;
  std::vector<ColumnUse> columns;
  std::vector<Predicate> predicates;
};

struct Index {
  uint32_t table = 0;
  std::vector<int> columns;
  // A partial index's predicate (column = value); column 0: the index is not partial.
  int where_column = 0;
  std::string where_value;
  auto operator<=>(const Index&) const = default;
};

// What the advisor asks of the database.
class Oracle {
public:
  virtual ~Oracle() = default;
  // The planner's cost of query q with the hypothetical indexes `indexes` (ids of indexes()); used[i]
  // says whether the plan uses indexes[i].
  virtual double cost(size_t query, const std::vector<size_t>& indexes, std::vector<bool>& used) = 0;
  // The bytes the index would take once built.
  virtual double bytes(size_t index) = 0;
  // Whether an index that exists already serves what this one would (its columns lead it).
  virtual bool exists(const Index& index) = 0;
};

struct Choice {
  size_t id;     // in the advisor's indexes()
  double bytes;  // estimated size
  double saving; // weighted cost the workload would lose without it (with the others kept)
  int queries;   // queries whose plans use it
};

struct Advice {
  std::vector<Choice> chosen; // by saving, largest first
  double cost_before = 0;     // weighted workload cost with no new index
  double cost_after = 0;      // with the chosen ones
  long plannings = 0;         // oracle cost calls
  long cached = 0;            // costs answered from the cache
  size_t candidates = 0;      // candidate indexes considered (including widened ones)
};

struct Options {
  double budget_bytes = 1024.0 * 1024 * 1024;
  int max_width = 3;
  // An option must save at least this share of the workload's cost (with the indexes chosen so far)
  // to be taken; an index that saves less is dropped again.
  double min_gain_share = 0.005;
  // The size of the data the workload reads (0: unknown). When known, an option must also save at
  // least the share of the workload's cost that its bytes are of this size: an index a tenth the
  // size of the tables must save a tenth of the cost.
  double data_bytes = 0;
};

class Advisor {
public:
  Advisor(std::vector<Query> queries, Oracle& oracle, const Options& options);
  Advice run();
  const std::vector<Index>& indexes() const { return indexes_; }

private:
  size_t add_index(const Index& index);
  bool relevant(size_t index, size_t query) const;
  std::vector<size_t> relevant_set(const std::vector<size_t>& config, size_t query) const;
  double query_cost(size_t query, const std::vector<size_t>& config, std::vector<bool>* used = nullptr);
  double workload_cost(const std::vector<size_t>& config);
  double bytes(size_t index);
  double config_bytes(const std::vector<size_t>& config);
  double min_gain(const std::vector<size_t>& config);
  void greedy(std::vector<size_t>& config);
  bool improve(std::vector<size_t>& config);
  void generate_candidates();
  std::vector<int> companions(const Index& index) const;

  std::vector<Query> queries_;
  Oracle& oracle_;
  Options options_;
  std::vector<Index> indexes_;
  std::map<Index, size_t> ids_;
  std::map<std::pair<size_t, std::vector<size_t>>, double> cache_;
  std::vector<double> bytes_; // < 0: not yet asked
  long plannings_ = 0;
  long cached_ = 0;
};

} // namespace autoreport::analyze::advisor
