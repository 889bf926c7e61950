// The SVG renderer: turns report rows into a chart.
//
// Which columns: option "x" names the x column (default the first); "y" names one numeric column or
// an array of them, each a series (default every numeric column other than x and series); "series"
// names a column whose values split long rows into series (date, region, revenue: one line per
// region, in order of first appearance, or the 7 with the largest totals when there are more, the
// rest named in a note), with one y column. Unknown columns, a y that is not numeric, and series with
// several y are 22023.
//
// What is drawn, option "kind": "line" (default for a date, timestamp or timestamptz x: x proportional
// to time, rows sorted by time, timestamptz in UTC), "bar" (default otherwise: bars over the x values as
// categories, in row order, side by side when there are several series), "stacked" (bars stacked per
// category) or "area" (areas stacked over x). Line and area also take a numeric x; over text x they are
// 22023. Stacks put positive values upwards and negative values downwards from zero.
//
// Value axes, option "scales": "auto" (default: series whose largest absolute values differ by more
// than 10 times get a second axis on the right when they form two groups of lines, otherwise one small
// panel each; stacks stay on one axis), "shared", "dual" (lines only) or "multiples" (chart_scales.cpp).
//
// Names: axis titles and legend entries are the columns' labels (define_report's, else the name
// humanised); the title is option "title", else the report's name (humanised when it is one word).
//
// A chart needs its whole range before it can draw anything, so the rows are collected (the x value
// and one double per series, not the cells) and drawn at end().
//
// Limits, each said in the chart's <desc> and, where something is not drawn, in a note under it:
// at most 7 series (the palette's distinguishable colours), at most 50 bar categories (the first 50),
// lines of more than "max_points" points reduced by min/max downsampling, rows whose x is NULL or
// infinite left out, and values that are NaN or infinite (counted in the note). More than 2,000,000 rows is
// an error (54000): aggregate first.
#include "render/svg.hpp"

#include "common/error.hpp"
#include "render/chart.hpp"
#include "render/chart_columns.hpp"
#include "render/chart_split.hpp"
#include "render/column_names.hpp"
#include "render/presentation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr size_t max_rows = 2000000;
constexpr double max_abs_seconds = 2e14; // beyond any date PostgreSQL has, and exact in a double

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
    options.allow_only("svg",
                       {"width", "height", "title", "max_points", "x", "y", "series", "kind", "scales"});
    style_.width = static_cast<double>(options.integer("width", 800, 200, 4000));
    style_.height = static_cast<double>(options.integer("height", 400, 150, 3000));
    style_.max_points = static_cast<size_t>(options.integer("max_points", 2000, 10, 100000));
    if (options.has("title")) {
      title_ = options.text("title", "");
    }
    if (options.has("x")) {
      request_.x = options.text("x", "");
    }
    request_.y = options.texts("y");
    if (options.has("series")) {
      request_.series = options.text("series", "");
    }
    if (options.has("kind")) {
      request_.kind = options.text("kind", "");
    }
    const std::optional<ChartKind> kind = chart_kind(request_.kind);
    scales_ = options.text("scales", "auto");
    if (scales_ != "auto" && scales_ != "shared" && scales_ != "dual" && scales_ != "multiples") {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"scales\" must be \"auto\", \"shared\", \"dual\" or \"multiples\"")
          .with_detail("It was \"" + scales_ + "\".");
    }
    if (scales_ == "dual" && kind && *kind != ChartKind::line) {
      throw Error(sqlstate::invalid_parameter_value, "option \"scales\" \"dual\" is only for line charts")
          .with_hint(
              "Use \"scales\": \"multiples\" to give each series its own panel and axis, or \"shared\".");
    }
  }

  // Picks the columns, the kind of chart and the series (22023 when the options do not fit them).
  void begin(const TableInfo& info) override {
    const std::vector<Column>& columns = info.columns;
    chosen_ = choose_columns(columns, request_);
    data_.kind = chosen_.kind;
    data_.numeric_columns = chosen_.numeric_total;
    if (chosen_.series) {
      data_.split_by = column_label(columns[*chosen_.series], *chosen_.series);
      data_.y_name = column_label(columns[chosen_.y[0]], chosen_.y[0]);
    } else {
      for (size_t i : chosen_.y) {
        data_.series.push_back({column_label(columns[i], i), {}});
      }
    }
    data_.title = title_ ? *title_ : info.title;
    if (!title_ && data_.title.find(' ') == std::string::npos) {
      data_.title = humanise(data_.title); // a report name such as daily_sales
    }
    if (data_.title.empty()) {
      data_.title = "Chart";
    }
    data_.description = info.description;
    const Kind x_kind = columns[chosen_.x].kind;
    data_.x_name = column_label(columns[chosen_.x], chosen_.x);
    data_.temporal = chosen_.over_x && is_temporal(x_kind);
    data_.numeric_x = chosen_.over_x && is_numeric(x_kind);
    data_.dates_only = x_kind == Kind::Date;
    data_.utc = x_kind == Kind::TimestampTz && data_.temporal;
    width_ = columns.size();
  }

  // Keeps the x value and one double per series of a row (or, split, its series and value).
  void row(std::span<const Cell> cells) override {
    if (chosen_.y.empty() || cells.size() < width_) {
      return; // before begin(), or a malformed row: nothing to plot
    }
    if (++rows_ > max_rows) {
      throw Error(sqlstate::program_limit_exceeded, "svg chart has more than 2000000 rows")
          .with_hint("Aggregate the rows first, e.g. GROUP BY date_trunc('day', ...), and chart the result.");
    }
    const Cell& x_cell = cells[chosen_.x];
    if (chosen_.series) {
      const Cell& v = cells[chosen_.y[0]];
      const std::optional<double> value = v.is_null ? std::nullopt : std::optional<double>(number(v));
      const std::string series = category_label(cells[*chosen_.series]);
      if (!chosen_.over_x) {
        split_.add(category_label(x_cell), series, value);
      } else if (const std::optional<double> x = x_value(x_cell)) {
        split_.add(*x, series, value);
      } else {
        ++data_.rows_without_x;
      }
      return;
    }
    if (chosen_.over_x) {
      const std::optional<double> x = x_value(x_cell);
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
      data_.categories.push_back(category_label(x_cell));
    }
    for (size_t s = 0; s < chosen_.y.size(); ++s) {
      const Cell& c = cells[chosen_.y[s]];
      const double v = number(c);
      if (!c.is_null && !std::isfinite(v)) {
        // Not drawn, and said so: a gap in the line is not silently taken for a NULL.
        ++(std::isnan(v) ? data_.values_nan : data_.values_infinite);
      }
      data_.series[s].values.push_back(!c.is_null && std::isfinite(v) ? v : NAN);
    }
  }

  // Draws the chart and writes the document.
  void end() override {
    if (chosen_.series) {
      split_.fill(data_);
    } else if (chosen_.over_x) {
      sort_by_x();
    }
    choose_scales(data_, scales_);
    out_.write(chart_svg(data_, style_));
  }

private:
  // A cell's number: NaN or an infinity when it is not finite.
  static double number(const Cell& c) { return c.finite || !std::isfinite(c.number) ? c.number : INFINITY; }

  // The x of a cell: seconds since 1970-01-01 UTC for times, the number for numbers; nothing when it has
  // none.
  std::optional<double> x_value(const Cell& cell) const {
    if (cell.is_null || !cell.finite) {
      return std::nullopt;
    }
    if (data_.numeric_x) {
      return std::isfinite(cell.number) ? std::optional<double>(cell.number) : std::nullopt;
    }
    const double s = data_.dates_only ? static_cast<double>(cell.integer) * 86400.0
                                      : static_cast<double>(cell.integer) / 1e6;
    if (!(std::abs(s) <= max_abs_seconds)) {
      return std::nullopt;
    }
    return s;
  }

  // Orders the points by x (stable: rows at the same x keep their order).
  void sort_by_x() {
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
  ChartRequest request_;
  std::string scales_;
  ChartColumns chosen_;
  ChartData data_;
  SeriesSplit split_;
  size_t width_ = 0;
  size_t rows_ = 0;
};

} // namespace

std::unique_ptr<Renderer> make_svg(const Options& options, Output& out) {
  return std::make_unique<SvgRenderer>(options, out);
}

} // namespace autoreport::render
