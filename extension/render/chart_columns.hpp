// Which columns an SVG chart draws and how, from the options "x", "y", "series" and "kind", checked
// against the result's columns (22023 naming what is wrong).
#pragma once

#include "render/chart.hpp"
#include "render/table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace autoreport::render {

// The options as given (before the columns are known).
struct ChartRequest {
  std::optional<std::string> x;      // a column name
  std::vector<std::string> y;        // column names; empty: every numeric column
  std::optional<std::string> series; // a column name
  std::optional<std::string> kind;   // "line", "bar", "stacked" or "area"
};

// The columns chosen, by index.
struct ChartColumns {
  size_t x = 0;
  std::vector<size_t> y;        // the series, or the one value column when split
  std::optional<size_t> series; // the column whose values are the series
  size_t numeric_total = 0;     // columns that could have been series (more than y when cut)
  ChartKind kind = ChartKind::bar;
  bool over_x = false; // line or area: x is a time or a number, not categories
};

// Reads the request's kind word (22023 for an unknown one); nothing when none is given.
std::optional<ChartKind> chart_kind(const std::optional<std::string>& word);

// Chooses the columns for the request, at most chart_max_series y columns. Throws 22023 for an
// unknown column (listing the columns), a y that is not numeric, a series with several y columns or
// with a y column that is x, line or area over an x that is neither time nor number, and no numeric
// column to draw.
ChartColumns choose_columns(const std::vector<Column>& columns, const ChartRequest& request);

} // namespace autoreport::render
