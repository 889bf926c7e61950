// A chart as the SVG renderer draws it: the collected data, the size, and the document it becomes.
//
// Pure drawing, no table handling: svg.cpp turns report rows into a ChartData, chart_svg() turns that
// into a standalone, accessible SVG document (chart_frame.cpp, with the plot from chart_line.cpp or
// chart_bar.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace autoreport::render {

inline constexpr size_t chart_max_series = 7;      // colours of the palette that stay apart
inline constexpr size_t chart_max_categories = 50; // bars beyond that are unreadable

struct ChartSeries {
  std::string name;
  std::vector<double> values; // one per x (row); NaN where there is no value
};

// A shaded band around a line chart's series (e.g. a prediction interval), drawn behind the lines in
// the colour of series `series`. NaN bounds leave a gap.
struct ChartBand {
  std::string name; // e.g. "95% interval"
  size_t series = 0;
  std::vector<double> lower, upper; // one per x
};

// Points marked on a line chart (e.g. anomalies): a ring at each value that is not NaN.
struct ChartMarkers {
  std::string name;           // e.g. "anomaly"
  std::vector<double> values; // one per x; NaN where nothing is marked
};

struct ChartData {
  std::string title;                   // shown at the top and in <title>
  std::string description;             // the report's description, first part of <desc>
  std::string x_name;                  // the first column: the x axis label
  bool temporal = false;               // a line chart over time, else a bar chart over categories
  bool dates_only = false;             // the x values are dates (whole days)
  bool utc = false;                    // the x values are timestamptz, shown in UTC
  std::vector<double> x;               // line chart: seconds since 1970-01-01 UTC, ascending
  std::vector<std::string> categories; // bar chart: the labels in row order
  std::vector<ChartSeries> series;     // at most chart_max_series
  std::vector<ChartBand> bands;        // line chart only
  std::vector<ChartMarkers> markers;   // line chart only
  size_t categories_total = 0;         // bar chart: categories in the result (more than drawn when cut)
  size_t numeric_columns = 0;          // series in the result (more than drawn when cut)
  size_t rows_without_x = 0;           // line chart: rows whose time is NULL or infinite, left out
  size_t values_infinite = 0;          // values of drawn series that are infinite, not drawn
  size_t values_nan = 0;               // values of drawn series that are NaN, not drawn
};

struct ChartStyle {
  double width = 800;
  double height = 400;
  size_t max_points = 2000; // per line, before min/max downsampling
};

// The whole SVG document.
std::string chart_svg(const ChartData& data, const ChartStyle& style);

// The sentences that describe the chart to someone who cannot see it (the end of <desc>), e.g.
// "Line chart of revenue and orders by date from 2024-11-01 to 2026-10-31; 730 points."
std::string chart_summary(const ChartData& data, const ChartStyle& style);

// The short notes shown under the chart when something is not drawn (categories or series cut).
std::vector<std::string> chart_notes(const ChartData& data);

// True when the chart has nothing to draw.
bool chart_empty(const ChartData& data);

} // namespace autoreport::render
