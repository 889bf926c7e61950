// A chart as the SVG renderer draws it: the collected data, the size, and the document it becomes.
//
// Pure drawing, no table handling: svg.cpp turns report rows into a ChartData, chart_svg() turns that
// into a standalone, accessible SVG document (chart_frame.cpp, with the plot from chart_line.cpp,
// chart_area.cpp or chart_bar.cpp; chart_scales.cpp decides when series need their own axes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::render {

inline constexpr size_t chart_max_series = 7;      // colours of the palette that stay apart
inline constexpr size_t chart_max_categories = 50; // bars beyond that are unreadable

struct ChartSeries {
  std::string name;
  std::vector<double> values; // one per x (row); NaN where there is no value
  bool right_axis = false;    // ChartScales::dual: read on the second axis, on the right
};

// What the marks are: lines over x, side-by-side bars per category, bars stacked per category, or
// areas stacked over x. Stacks put positive values upwards and negative values downwards from zero.
enum class ChartKind { line, bar, stacked, area };

// How the series share value axes: one axis, a second axis on the right for the series marked
// right_axis (lines only), or one small panel per series, stacked vertically over a shared x axis.
enum class ChartScales { shared, dual, multiples };

// A shaded band around a line chart's series (e.g. a prediction interval), drawn behind the lines in
// the colour of series `series`. NaN bounds leave a gap.
struct ChartBand {
  std::string name; // e.g. "95% interval"
  size_t series = 0;
  std::vector<double> lower, upper; // one per x
  bool floored = false;             // lower bounds below 0 were raised to 0 (floor_band_at_zero)
};

// Points marked on a line chart (e.g. anomalies): a ring at each value that is not NaN.
struct ChartMarkers {
  std::string name;           // e.g. "anomaly"
  std::vector<double> values; // one per x; NaN where nothing is marked
};

struct ChartData {
  std::string title;                // shown at the top and in <title>
  std::string description;          // the report's description, first part of <desc>
  std::string x_name;               // the x column's label: the x axis title
  std::string y_name;               // the value axis title when series are split by a column
  ChartKind kind = ChartKind::line; // line and area need x (temporal or numeric_x), bars categories
  ChartScales scales = ChartScales::shared;
  bool scales_differ = false;          // dual or multiples chosen because the scales differ > 10x
  bool temporal = false;               // x holds times (seconds), else categories or numbers
  bool numeric_x = false;              // x holds plain numbers (a line or area over a numeric column)
  bool dates_only = false;             // the x values are dates (whole days)
  bool utc = false;                    // the x values are timestamptz, shown in UTC
  std::vector<double> x;               // line or area: seconds since 1970-01-01 UTC or numbers, ascending
  std::vector<std::string> categories; // bar chart: the labels in row order
  std::vector<ChartSeries> series;     // at most chart_max_series
  std::vector<ChartBand> bands;        // line chart only
  std::vector<ChartMarkers> markers;   // line chart only
  size_t categories_total = 0;         // bar chart: categories in the result (more than drawn when cut)
  size_t numeric_columns = 0;          // series in the result (more than drawn when cut)
  std::string split_by;                // the label of the column whose values are the series, if any
  std::vector<std::string> left_out;   // split series not drawn (beyond chart_max_series), by total
  size_t rows_added_up = 0;            // split rows whose x and series another row had: added to it
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

// True when the chart places marks along x (temporal or numeric_x: line, area) rather than over
// categories (bars).
bool chart_over_x(const ChartData& data);

// The x value as a person reads it: a date, a date and time, or a number.
std::string chart_x_text(const ChartData& data, double x);

// Raises lower bounds below 0 to 0 when no observed value is negative (a quantity that never was
// negative is not forecast to be), and says so in band.floored. Returns true when a bound was raised.
bool floor_band_at_zero(ChartBand& band, const std::vector<double>& observed);

// Chooses how the series share axes (sets data.scales, the series' right_axis and scales_differ) for
// `asked`: "shared", "dual", "multiples" or "auto". Auto: when the largest absolute values of series
// differ by more than 10 times, lines get a second axis (two groups of series) or small multiples
// (more), side-by-side bars get small multiples; stacks stay shared, since they show parts of a
// whole. "dual" on anything but lines, or with fewer than two series, is 22023.
void choose_scales(ChartData& data, std::string_view asked);

} // namespace autoreport::render
