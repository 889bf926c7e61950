// The SVG renderer: turns report rows into a chart.
//
// The first column is the x axis. A date, timestamp or timestamptz first column makes a line chart over
// time (rows sorted by time, x proportional to time, timestamptz in UTC); any other first column makes
// a bar chart over its values as categories, in row order. Every numeric column after the first is a
// series; other columns are ignored. A chart needs its whole range before it can draw anything, so the
// rows are collected (the x value and one double per series, not the cells) and drawn at end().
//
// Limits, each said in the chart's <desc> and, where something is not drawn, in a note under it:
// at most 7 series (the palette's distinguishable colours), at most 50 bar categories (the first 50),
// lines of more than "max_points" points reduced by min/max downsampling, rows whose time is NULL or
// infinite left out, and values that are NaN or infinite (counted in the note). More than 2,000,000 rows is
// an error (54000): aggregate first.
#include "render/svg.hpp"

#include "common/error.hpp"
#include "render/chart.hpp"
#include "render/column_names.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr size_t max_rows = 2000000;
constexpr double max_abs_seconds = 2e14; // beyond any date PostgreSQL has, and exact in a double

// A name for a kind in an error detail.
std::string kind_name(const Column& column) {
  return column.type_name.empty() ? std::string(is_numeric(column.kind) ? "numeric" : "non-numeric")
                                  : column.type_name;
}

// A category label as kept: at most 256 bytes, cut at a character boundary (labels are shortened for
// display anyway; this bounds memory when a label is a whole document).
std::string category_label(const Cell& cell) {
  if (cell.is_null) {
    return "(null)";
  }
  std::string_view text = cell.text;
  if (text.size() > 256) {
    size_t end = 256;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    text = text.substr(0, end);
  }
  return std::string(text);
}

// Collects the rows of a chart and draws it at the end (see the top of this file).
class SvgRenderer final : public Renderer {
public:
  // Reads and checks the options (unknown keys and values out of range are 22023).
  SvgRenderer(const Options& options, Output& out) : out_(out) {
    options.allow_only("svg", {"width", "height", "title", "max_points"});
    style_.width = static_cast<double>(options.integer("width", 800, 200, 4000));
    style_.height = static_cast<double>(options.integer("height", 400, 150, 3000));
    style_.max_points = static_cast<size_t>(options.integer("max_points", 2000, 10, 100000));
    if (options.has("title")) {
      title_ = options.text("title", "");
    }
  }

  // Picks the chart type and the series from the columns; no numeric column after the first is 22023.
  void begin(const TableInfo& info) override {
    const std::vector<Column>& columns = info.columns;
    for (size_t i = 1; i < columns.size(); ++i) {
      if (is_numeric(columns[i].kind)) {
        ++data_.numeric_columns;
        if (series_columns_.size() < chart_max_series) {
          series_columns_.push_back(i);
          data_.series.push_back({display_name(columns[i], i), {}});
        }
      }
    }
    if (series_columns_.empty()) {
      std::string list;
      for (size_t i = 0; i < columns.size(); ++i) {
        list += (i == 0 ? "" : ", ") + display_name(columns[i], i) + " (" + kind_name(columns[i]) + ")";
      }
      throw Error(sqlstate::invalid_parameter_value,
                  "svg chart needs at least one numeric column after the first")
          .with_detail(columns.empty() ? std::string("The result has no columns.")
                                       : "The columns are: " + list + ".")
          .with_hint(
              "Select the x axis first (a date or timestamp for a line chart, a label for a bar chart), "
              "then one or more numeric columns to plot.");
    }
    const Kind x_kind = columns[0].kind;
    data_.title = title_ ? *title_ : info.title;
    if (data_.title.empty()) {
      data_.title = "Chart";
    }
    data_.description = info.description;
    data_.x_name = display_name(columns[0], 0);
    data_.temporal = is_temporal(x_kind);
    data_.dates_only = x_kind == Kind::Date;
    data_.utc = x_kind == Kind::TimestampTz;
  }

  // Keeps the x value and one double per series of a row.
  void row(std::span<const Cell> cells) override {
    if (series_columns_.empty() || cells.size() <= series_columns_.back()) {
      return; // before begin(), or a malformed row: nothing to plot
    }
    if (++rows_ > max_rows) {
      throw Error(sqlstate::program_limit_exceeded, "svg chart has more than 2000000 rows")
          .with_hint("Aggregate the rows first, e.g. GROUP BY date_trunc('day', ...), and chart the result.");
    }
    if (data_.temporal) {
      const std::optional<double> x = seconds(cells[0]);
      if (!x) {
        ++data_.rows_without_x;
        return;
      }
      data_.x.push_back(*x);
    } else {
      ++data_.categories_total;
      if (data_.categories.size() == chart_max_categories) {
        return;
      }
      data_.categories.push_back(category_label(cells[0]));
    }
    for (size_t s = 0; s < series_columns_.size(); ++s) {
      const Cell& c = cells[series_columns_[s]];
      const bool plottable = !c.is_null && c.finite && std::isfinite(c.number);
      if (!c.is_null && !plottable) {
        // Not drawn, and said so: a gap in the line is not silently taken for a NULL.
        ++(std::isnan(c.number) ? data_.values_nan : data_.values_infinite);
      }
      data_.series[s].values.push_back(plottable ? c.number : NAN);
    }
  }

  // Draws the chart and writes the document.
  void end() override {
    if (data_.temporal) {
      sort_by_time();
    }
    out_.write(chart_svg(data_, style_));
  }

private:
  // The time of an x cell in seconds since 1970-01-01 UTC, or nothing when it has none.
  std::optional<double> seconds(const Cell& cell) const {
    if (cell.is_null || !cell.finite) {
      return std::nullopt;
    }
    const double s = data_.dates_only ? static_cast<double>(cell.integer) * 86400.0
                                      : static_cast<double>(cell.integer) / 1e6;
    if (!(std::abs(s) <= max_abs_seconds)) {
      return std::nullopt;
    }
    return s;
  }

  // Orders the points by time (stable: rows at the same time keep their order).
  void sort_by_time() {
    if (std::is_sorted(data_.x.begin(), data_.x.end())) {
      return;
    }
    std::vector<size_t> order(data_.x.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data_.x[a] < data_.x[b]; });
    const auto permute = [&](std::vector<double>& v) {
      std::vector<double> sorted(v.size());
      for (size_t i = 0; i < order.size(); ++i) {
        sorted[i] = v[order[i]];
      }
      v = std::move(sorted);
    };
    permute(data_.x);
    for (ChartSeries& s : data_.series) {
      permute(s.values);
    }
  }

  Output& out_;
  ChartStyle style_;
  std::optional<std::string> title_;
  ChartData data_;
  std::vector<size_t> series_columns_;
  size_t rows_ = 0;
};

} // namespace

std::unique_ptr<Renderer> make_svg(const Options& options, Output& out) {
  return std::make_unique<SvgRenderer>(options, out);
}

} // namespace autoreport::render
