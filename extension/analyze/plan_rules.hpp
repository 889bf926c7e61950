// Reading a plan as EXPLAIN (FORMAT JSON) prints it, with or without ANALYZE and BUFFERS: the findings a
// plan shows by itself (misestimates, spills, lossy bitmaps, heap fetches, workers not launched, JIT,
// re-scanned CTEs and subplans, nested loops over large inputs), and the facts the glue needs to judge
// what the plan alone cannot (sequential scans and their filters, columns wrapped in a function or a
// cast, the tables read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::analyze {

struct Finding {
  std::string severity; // high, medium or info
  std::string node;     // "Seq Scan on orders (node 3)"
  std::string finding;  // a short name: "sort spills to disk"
  std::string detail;
  std::string fix; // empty: none to give
};

// A condition of a filter on one column: `(region = 3)`, `(at >= '2026-01-01'::date)`.
struct ColumnCondition {
  std::string column; // as EXPLAIN prints it (quoted when it needs quotes)
  bool equality = false;
};

struct ScanFact {
  std::string node;
  std::string schema;
  std::string relation;
  std::string filter; // empty: none
  std::vector<ColumnCondition> conditions;
  double plan_rows = 0;
  std::optional<double> actual_rows; // rows out over all loops (ANALYZE)
  std::optional<double> removed;     // rows the filter removed over all loops (ANALYZE)
  bool misestimated = false;         // a misestimate finding was made on this node
};

// A column inside a function call or a cast in a filter or index condition: lower(email),
// (created_at)::date. An index on the column cannot serve the condition.
struct WrappedColumn {
  std::string node;
  std::string schema;
  std::string relation;
  std::string column;
  std::string expression; // as printed: lower(email)
};

struct PlanReading {
  std::vector<Finding> findings;
  std::vector<ScanFact> seq_scans;
  std::vector<WrappedColumn> wrapped;
  std::vector<std::pair<std::string, std::string>> relations; // schema, name: every table scanned
  std::string top_node;
  bool analyzed = false;
  bool aggregate_top = false; // the top node (below Sort/Limit) aggregates
};

// Reads `json` (EXPLAIN's output: an array holding one object per statement). work_mem_kb: the
// setting the plan ran with. Throws autoreport::Error (22023) for text that is not such a plan.
PlanReading read_plan(const std::string& json, int64_t work_mem_kb);

// The conditions on single columns in a filter as EXPLAIN prints it.
std::vector<ColumnCondition> column_conditions(const std::string& filter);

// A memory setting in whole MB, at least `kb` kilobytes: "64MB".
std::string memory_setting(double kb);

} // namespace autoreport::analyze
