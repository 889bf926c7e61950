// The bar chart over categories: one group of bars per category (one bar per series side by side, or
// one stack), from a zero line, with category labels turned when they do not fit side by side; small
// multiples put each series in a panel of its own over the same categories.
#include "render/chart.hpp"
#include "render/chart_draw.hpp"
#include "render/escape.hpp"

#include <algorithm>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render::chart {

namespace {

constexpr double label_gap = 6;        // between horizontal labels
constexpr double turned_max_px = 180;  // longest turned label, unless the picture is small
constexpr double min_label_pitch = 15; // closer turned labels overlap
constexpr double panel_title_px = 18;  // above each small multiple
constexpr double panel_gap_px = 16;

// Draws the bars of the given series in plot: side by side within each category's group, or stacked
// (positive values upwards from zero, negative values downwards).
void draw_bars(std::string& out, const ChartData& data, const std::vector<size_t>& series, bool stacked,
               const NiceTicks& ticks, const Box& plot, double group) {
  const size_t n = data.categories.size();
  const double inner = group * 0.8;
  const double bar = stacked ? inner : inner / static_cast<double>(series.size());
  std::vector<double> up(n, 0.0);
  std::vector<double> down(n, 0.0);
  for (size_t k = 0; k < series.size(); ++k) {
    const size_t s = series[k];
    const std::string outline =
        bar >= 3 ? " stroke=\"#000000\" stroke-opacity=\"0.35\" stroke-width=\"0.5\"" : "";
    out += "<g class=\"series\" data-series=\"" + std::to_string(s) + "\" fill=\"" + series_colour(s) + "\"" +
           outline + ">\n";
    for (size_t i = 0; i < n; ++i) {
      const double v = data.series[s].values[i];
      if (!std::isfinite(v)) {
        continue;
      }
      double from = 0;
      if (stacked) {
        double& base = v < 0 ? down[i] : up[i];
        from = base;
        base += v;
      }
      const double x = plot.left + static_cast<double>(i) * group + (group - inner) / 2 +
                       (stacked ? 0 : static_cast<double>(k) * bar);
      const double y0 = y_of(from, ticks, plot);
      const double y1 = y_of(from + v, ticks, plot);
      out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(std::min(y0, y1)) + "\" width=\"" +
             num(bar) + "\" height=\"" + num(std::abs(y0 - y1)) + "\"><title>";
      append_xml_escaped(out, data.categories[i] + " \u2014 " + data.series[s].name + ": " + value_text(v));
      out += "</title></rect>\n";
    }
    out += "</g>\n";
  }
}

} // namespace

void draw_bar_plot(std::string& out, const ChartData& data, const Box& region) {
  const size_t n = data.categories.size();
  const bool stacked = data.kind == ChartKind::stacked;
  const bool multiples = data.scales == ChartScales::multiples;
  const std::vector<std::vector<size_t>> panels = chart_panels(data);
  const size_t np = panels.size();
  const bool x_title = room_for_x_title(region);
  const std::string y_title = multiples ? "" : data.series.size() == 1 ? data.series[0].name : data.y_name;
  const double title_px = multiples ? panel_title_px : 0;
  std::vector<std::pair<double, double>> ranges;
  for (const std::vector<size_t>& panel : panels) {
    ranges.push_back(value_range(data, panel, stacked));
  }
  // The height of each panel when the plot ends `bottom`.
  const auto panel_px = [&](double bottom) {
    return std::max(20.0, (bottom - region.top - static_cast<double>(np - 1) * panel_gap_px) /
                                  static_cast<double>(np) -
                              title_px);
  };
  // The ticks depend on the plot's height, which depends on the labels under it, which depend on the
  // plot's width, which depends on the tick labels: guess the height first, correct it at the end.
  std::vector<NiceTicks> ticks;
  double labels_px = 0;
  for (const auto& [lo, hi] : ranges) {
    ticks.push_back(nice_ticks(lo, hi, true, max_ticks_for(panel_px(region.bottom - 44))));
    labels_px = std::max(labels_px, y_labels_px(ticks.back()));
  }

  Box plot;
  plot.left = region.left + (y_title.empty() ? 0 : 20) + labels_px + 12;
  plot.top = region.top;
  plot.right = region.right;
  double group = plot.width() / static_cast<double>(n);

  // Horizontal labels when each fits its group, otherwise turned by 45 degrees; with very narrow groups
  // only every k-th label is shown.
  double widest = 0;
  for (const std::string& c : data.categories) {
    widest = std::max(widest, text_px(c, font));
  }
  const bool turned = widest > group - label_gap;
  // Turned labels take at most 40% of the height, 45 degrees making their width 0.71 times as tall.
  const double turned_limit = std::min(turned_max_px, region.height() * 0.4 / 0.71);
  std::vector<std::string> labels;
  double turned_widest = 0;
  for (const std::string& c : data.categories) {
    labels.push_back(turned ? ellipsize(c, turned_limit, font) : c);
    turned_widest = std::max(turned_widest, text_px(labels.back(), font));
  }
  if (turned) {
    // The first turned label reaches left of its bar: move the plot right for it (up to 80 px), and
    // shorten the first labels if that is not enough.
    const double reach = labels.empty() ? 0 : text_px(labels[0], font) * 0.71 + 4 - group / 2;
    plot.left = std::max(plot.left, std::min(reach + 2, plot.left + 80));
    group = plot.width() / static_cast<double>(n);
    for (size_t i = 0; i < labels.size(); ++i) {
      const double anchor = plot.left + (static_cast<double>(i) + 0.5) * group + 4;
      if (text_px(labels[i], font) * 0.71 > anchor - 2) {
        labels[i] = ellipsize(data.categories[i], (anchor - 2) / 0.71, font);
      }
    }
  }
  const size_t every = turned ? static_cast<size_t>(std::ceil(min_label_pitch / group)) : 1;
  const double label_space = turned ? turned_widest * 0.71 + 22 : 24;
  plot.bottom = region.bottom - label_space - (x_title ? 16 : 0);
  const double height = panel_px(plot.bottom);
  for (size_t p = 0; p < np; ++p) {
    if (const int fit = max_ticks_for(height); static_cast<int>(ticks[p].values.size()) > fit) {
      ticks[p] = nice_ticks(ranges[p].first, ranges[p].second, true, fit);
      // Only to the right: the labels still fit.
      plot.left = std::max(plot.left, region.left + (y_title.empty() ? 0 : 20) + y_labels_px(ticks[p]) + 12);
    }
  }
  group = plot.width() / static_cast<double>(n);
  std::vector<Box> boxes(np, plot);
  for (size_t p = 0; p < np; ++p) {
    boxes[p].top = region.top + static_cast<double>(p) * (height + title_px + panel_gap_px) + title_px;
    boxes[p].bottom = boxes[p].top + height;
    draw_y_axis(out, ticks[p], boxes[p], y_title, region.left + 10);
    if (multiples) {
      draw_panel_title(out, data.series[panels[p][0]].name, boxes[p], series_colour(panels[p][0]));
    }
  }
  const Box& last = boxes.back();

  out += "<g class=\"x-axis\">\n";
  for (size_t i = 0; i < n; i += every) {
    const double cx = last.left + (static_cast<double>(i) + 0.5) * group;
    if (turned) {
      const double y = last.bottom + 14;
      add_text(out, cx + 4, y, labels[i], "tick x",
               "text-anchor=\"end\" transform=\"rotate(-45 " + num(cx + 4) + " " + num(y) + ")\"");
    } else {
      add_text(out, cx, last.bottom + 18, labels[i], "tick x", "text-anchor=\"middle\"");
    }
  }
  if (x_title) {
    draw_x_title(out, data.x_name, last, last.bottom + label_space + 12);
  }
  out += "</g>\n";

  out += "<g class=\"bars\">\n";
  for (size_t p = 0; p < np; ++p) {
    draw_bars(out, data, panels[p], stacked, ticks[p], boxes[p], group);
  }
  out += "</g>\n";
}

} // namespace autoreport::render::chart
