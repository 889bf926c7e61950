// The bar chart over categories: one group of bars per category (one bar per series), from a zero
// line, with category labels turned when they do not fit side by side.
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

} // namespace

void draw_bar_plot(std::string& out, const ChartData& data, const Box& region) {
  const size_t n = data.categories.size();
  const size_t ns = data.series.size();
  const auto [lo, hi] = value_range(data);
  const bool x_title = room_for_x_title(region);
  const std::string y_title = ns == 1 ? data.series[0].name : "";
  const auto left_for = [&](const NiceTicks& t) {
    return region.left + (y_title.empty() ? 0 : 20) + y_labels_px(t) + 12;
  };
  // The ticks depend on the plot's height, which depends on the labels under it, which depend on the
  // plot's width, which depends on the tick labels: guess the height first, correct it at the end.
  NiceTicks ticks = nice_ticks(lo, hi, true, max_ticks_for(region.height() - 44));

  Box plot;
  plot.left = left_for(ticks);
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
  if (const int fit = max_ticks_for(plot.height()); static_cast<int>(ticks.values.size()) > fit) {
    ticks = nice_ticks(lo, hi, true, fit);
    plot.left = std::max(plot.left, left_for(ticks)); // only to the right: the labels still fit
    group = plot.width() / static_cast<double>(n);
  }

  draw_y_axis(out, ticks, plot, y_title, region.left + 10);

  out += "<g class=\"x-axis\">\n";
  for (size_t i = 0; i < n; i += every) {
    const double cx = plot.left + (static_cast<double>(i) + 0.5) * group;
    if (turned) {
      const double y = plot.bottom + 14;
      add_text(out, cx + 4, y, labels[i], "tick x",
               "text-anchor=\"end\" transform=\"rotate(-45 " + num(cx + 4) + " " + num(y) + ")\"");
    } else {
      add_text(out, cx, plot.bottom + 18, labels[i], "tick x", "text-anchor=\"middle\"");
    }
  }
  if (x_title) {
    draw_x_title(out, data.x_name, plot, plot.bottom + label_space + 12);
  }
  out += "</g>\n";

  const double inner = group * 0.8;
  const double bar = inner / static_cast<double>(ns);
  const double zero = y_of(0, ticks, plot);
  out += "<g class=\"bars\">\n";
  for (size_t s = 0; s < ns; ++s) {
    const std::string colour = series_colour(s);
    const std::string outline =
        bar >= 3 ? " stroke=\"#000000\" stroke-opacity=\"0.35\" stroke-width=\"0.5\"" : "";
    out += "<g class=\"series\" data-series=\"" + std::to_string(s) + "\" fill=\"" + colour + "\"" + outline +
           ">\n";
    for (size_t i = 0; i < n; ++i) {
      const double v = data.series[s].values[i];
      if (!std::isfinite(v)) {
        continue;
      }
      const double x =
          plot.left + static_cast<double>(i) * group + (group - inner) / 2 + static_cast<double>(s) * bar;
      const double y = y_of(v, ticks, plot);
      out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(std::min(y, zero)) + "\" width=\"" +
             num(bar) + "\" height=\"" + num(std::abs(zero - y)) + "\"><title>";
      append_xml_escaped(out, data.categories[i] + " \u2014 " + data.series[s].name + ": " + value_text(v));
      out += "</title></rect>\n";
    }
    out += "</g>\n";
  }
  out += "</g>\n";
}

} // namespace autoreport::render::chart
