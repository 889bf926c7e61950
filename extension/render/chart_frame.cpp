// The SVG document around a chart: root element with its accessible name and description, the
// visible title, the legend, the notes, and the plot (or "No data").
#include "render/chart.hpp"
#include "render/chart_draw.hpp"
#include "render/escape.hpp"

#include <algorithm>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render {

namespace chart {

std::vector<std::vector<size_t>> chart_panels(const ChartData& data) {
  std::vector<std::vector<size_t>> panels;
  if (data.scales == ChartScales::multiples) {
    for (size_t i = 0; i < data.series.size(); ++i) {
      panels.push_back({i});
    }
  } else {
    panels.emplace_back();
    for (size_t i = 0; i < data.series.size(); ++i) {
      panels.back().push_back(i);
    }
  }
  if (panels.empty()) {
    panels.emplace_back();
  }
  return panels;
}

std::pair<double, double> value_range(const ChartData& data, const std::vector<size_t>& series,
                                      bool stacked) {
  double lo = INFINITY;
  double hi = -INFINITY;
  const auto take = [&](const std::vector<double>& values) {
    for (double v : values) {
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  };
  const auto has = [&](size_t i) { return std::find(series.begin(), series.end(), i) != series.end(); };
  if (stacked) {
    // The sums of the negative and of the positive values at each x (or category).
    size_t n = 0;
    for (size_t i : series) {
      n = std::max(n, data.series[i].values.size());
    }
    std::vector<double> down(n, 0.0);
    std::vector<double> up(n, 0.0);
    for (size_t i : series) {
      const std::vector<double>& values = data.series[i].values;
      for (size_t k = 0; k < values.size(); ++k) {
        if (std::isfinite(values[k])) {
          (values[k] < 0 ? down[k] : up[k]) += values[k];
        }
      }
    }
    take(down);
    take(up);
  } else {
    for (size_t i : series) {
      take(data.series[i].values);
    }
  }
  for (const ChartBand& b : data.bands) {
    if (has(b.series)) {
      take(b.lower);
      take(b.upper);
    }
  }
  if (has(0)) {
    for (const ChartMarkers& m : data.markers) {
      take(m.values);
    }
  }
  return lo <= hi ? std::make_pair(lo, hi) : std::make_pair(0.0, 1.0);
}

namespace {

constexpr double legend_row = 18;
constexpr double legend_max_label_px = 160;

// Draws the legend from y (top) and returns where it ends; at most max_rows rows, so that the plot
// keeps its room in a small picture, ending with "+N more" when series did not fit (their names are in
// the description as well).
double draw_legend(std::string& out, const ChartData& data, double left, double right, double top,
                   int max_rows) {
  out += "<g class=\"legend\">\n";
  double x = left;
  double y = top + 12;
  int rows = 1;
  const auto label_of = [&](const std::string& name) {
    return ellipsize(name, std::min(legend_max_label_px, right - left - 22), font);
  };
  // Moves to a new row when an item of this width does not fit; false when no row is left.
  const auto fit = [&](double item) {
    if (x > left && x + item > right) {
      if (rows == max_rows) {
        return false;
      }
      ++rows;
      x = left;
      y += legend_row;
    }
    return true;
  };
  bool full = false; // series were left out: nothing follows their "+N more"
  for (size_t i = 0; i < data.series.size(); ++i) {
    const std::string label =
        label_of(data.series[i].right_axis ? data.series[i].name + " (right axis)" : data.series[i].name);
    const double item = 22 + text_px(label, font) + 16;
    if (!fit(item)) {
      const std::string more = "+" + std::to_string(data.series.size() - i) + " more";
      if (x + text_px(more, font) <= right) {
        add_text(out, x, y, more, "legend-more");
      }
      full = true;
      break;
    }
    const std::string colour = series_colour(i);
    if (chart_over_x(data) && data.kind == ChartKind::line) {
      const std::string dash = line_dash(data, i);
      out += "<line class=\"swatch\" x1=\"" + num(x) + "\" x2=\"" + num(x + 18) + "\" y1=\"" + num(y - 4) +
             "\" y2=\"" + num(y - 4) + "\" stroke=\"" + colour + "\" stroke-width=\"2.5\"" +
             (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
    } else {
      out += "<rect class=\"swatch\" x=\"" + num(x + 3) + "\" y=\"" + num(y - 10) +
             "\" width=\"12\" height=\"12\" fill=\"" + colour + "\"/>\n";
    }
    add_text(out, x + 22, y, label, "legend");
    x += item;
  }
  // Bands and markers: a shaded square and a ring.
  for (size_t i = 0; i < data.bands.size() + data.markers.size() && !full; ++i) {
    const bool band = i < data.bands.size();
    const std::string& name = band ? data.bands[i].name : data.markers[i - data.bands.size()].name;
    const std::string label = label_of(name);
    const double item = 22 + text_px(label, font) + 16;
    if (!fit(item)) {
      break;
    }
    if (band) {
      out += "<rect class=\"swatch band\" x=\"" + num(x + 3) + "\" y=\"" + num(y - 10) +
             "\" width=\"12\" height=\"12\" fill=\"" + series_colour(data.bands[i].series) +
             "\" fill-opacity=\"" + std::string(band_opacity) + "\"/>\n";
    } else {
      out += "<circle class=\"swatch marker\" cx=\"" + num(x + 9) + "\" cy=\"" + num(y - 4) +
             "\" r=\"4.5\" fill=\"none\" stroke=\"" + std::string(marker_colour) +
             "\" stroke-width=\"2\"/>\n";
    }
    add_text(out, x + 22, y, label, "legend");
    x += item;
  }
  out += "</g>\n";
  return y + 6;
}

} // namespace
} // namespace chart

bool chart_empty(const ChartData& data) {
  return chart_over_x(data) ? data.x.empty() : data.categories.empty();
}

std::string chart_svg(const ChartData& data, const ChartStyle& style) {
  using namespace chart;
  const double width = style.width;
  const double height = style.height;
  std::string description = data.description;
  const std::string summary = chart_summary(data, style);
  description += description.empty() ? summary : " " + summary;

  std::string out;
  out.reserve(16384);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" role=\"img\" aria-labelledby=\"autoreport-chart-title autoreport-chart-desc\""
         " font-family=\"'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif\">\n";
  out += "<title id=\"autoreport-chart-title\">";
  append_xml_escaped(out, data.title);
  out += "</title>\n<desc id=\"autoreport-chart-desc\">";
  append_xml_escaped(out, description);
  out += "</desc>\n";
  out += "<rect class=\"background\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" fill=\"#ffffff\"/>\n";
  add_text(out, pad, pad + 12, ellipsize(data.title, width - 2 * pad, title_font), "title");

  double top = pad + 24;
  // Small multiples name each panel instead of a legend.
  if ((data.series.size() > 1 || !data.bands.empty() || !data.markers.empty()) && !chart_empty(data) &&
      (data.scales != ChartScales::multiples || !data.bands.empty() || !data.markers.empty())) {
    top = draw_legend(out, data, pad, width - pad, top, height < 300 ? 1 : 2);
  }
  Box region{pad, top + 12, width - pad, height - 8};
  const std::vector<std::string> notes = chart_notes(data);
  if (!notes.empty()) {
    std::string text;
    for (const std::string& note : notes) {
      text += (text.empty() ? "" : " ") + note;
    }
    add_text(out, pad, height - 8, ellipsize(text, width - 2 * pad, note_font), "note");
    region.bottom -= 16;
  }

  if (chart_empty(data)) {
    add_text(out, width / 2, (region.top + region.bottom) / 2, "No data", "no-data");
  } else if (chart_over_x(data)) {
    draw_line_plot(out, data, style, region);
  } else {
    draw_bar_plot(out, data, region);
  }
  out += "</svg>\n";
  return out;
}

} // namespace autoreport::render
