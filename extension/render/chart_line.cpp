// Charts along x (time or numbers): x proportional to the value, one polyline per series, broken where
// a value is missing and downsampled by min/max when a line has more points than max_points, or
// stacked areas; one value axis, a second one on the right, or one panel per series (small multiples).
#include "render/chart.hpp"
#include "render/chart_draw.hpp"
#include "render/downsample.hpp"
#include "render/escape.hpp"
#include "render/time_axis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/pure.hpp"

namespace autoreport::render::chart {

namespace {

// 16 hex digits of FNV-1a 64 over text: short, deterministic, and different for different charts.
std::string short_digest(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string digits(16, '0');
  for (size_t i = 16; i-- > 0; h >>= 4) {
    digits[i] = hex[h & 15];
  }
  return digits;
}

constexpr double panel_title_px = 18; // above each small multiple
constexpr double panel_gap_px = 16;

// Draws one series: a polyline for each unbroken run, a dot for a run of one point, and a tooltip
// point at each drawn point.
void draw_series(std::string& out, const ChartData& data, size_t index, const std::vector<LinePoint>& points,
                 const Scale& x_of, const Scale& y_of_value) {
  const ChartSeries& series = data.series[index];
  const std::string colour = series_colour(index);
  const std::string dash = line_dash(data, index);
  out += "<g class=\"series\" data-series=\"" + std::to_string(index) + "\">\n";
  std::string title = "<title>";
  append_xml_escaped(title, series.name + (series.right_axis ? " (right axis)" : ""));
  title += "</title>";
  const auto x_text = [&](double x) { return chart_x_text(data, x); };
  std::vector<TipPoint> tips;
  size_t start = 0;
  while (start < points.size()) {
    if (std::isnan(points[start].y)) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < points.size() && !std::isnan(points[end].y)) {
      tips.push_back({points[end].x, y_of_value(points[end].y), points[end].y});
      ++end;
    }
    if (end - start == 1) {
      out += "<circle class=\"series-point\" cx=\"" + num(x_of(points[start].x)) + "\" cy=\"" +
             num(y_of_value(points[start].y)) + "\" r=\"2.5\" fill=\"" + colour + "\"><title>";
      append_xml_escaped(out, x_text(points[start].x) + " \u2014 " + series.name + ": " +
                                  value_text(points[start].y));
      out += "</title></circle>\n";
    } else {
      out += "<polyline class=\"series-line\" fill=\"none\" stroke=\"" + colour +
             "\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"";
      if (!dash.empty()) {
        out += " stroke-dasharray=\"" + dash + "\"";
      }
      out += " points=\"";
      for (size_t i = start; i < end; ++i) {
        out += (i == start ? "" : " ") + num(x_of(points[i].x)) + "," + num(y_of_value(points[i].y));
      }
      out += "\">" + title + "</polyline>\n";
    }
    start = end;
  }
  out += "</g>\n";
  draw_tooltips(out, index, series.name, tips, x_of, x_text);
}

// Draws a ring at every marked value, with the value in its tooltip.
void draw_markers(std::string& out, const ChartData& data, const ChartMarkers& markers, const Scale& x_of,
                  const Scale& y_of_value) {
  out += "<g class=\"markers\">\n";
  for (size_t i = 0; i < std::min(data.x.size(), markers.values.size()); ++i) {
    if (!std::isfinite(markers.values[i])) {
      continue;
    }
    out += "<circle class=\"marker\" cx=\"" + num(x_of(data.x[i])) + "\" cy=\"" +
           num(y_of_value(markers.values[i])) + "\" r=\"5\" fill=\"none\" stroke=\"" +
           std::string(marker_colour) + "\" stroke-width=\"2\"><title>";
    append_xml_escaped(out, markers.name + ": " + value_text(markers.values[i]));
    out += "</title></circle>\n";
  }
  out += "</g>\n";
}

// The series of a panel read on one side.
std::vector<size_t> on_side(const ChartData& data, const std::vector<size_t>& panel, bool right) {
  std::vector<size_t> out;
  for (size_t i : panel) {
    if (data.series[i].right_axis == right) {
      out.push_back(i);
    }
  }
  return out;
}

// The title of a value axis: the one series' name, else the split values' name, else nothing (the
// legend names them).
std::string axis_title(const ChartData& data, const std::vector<size_t>& series) {
  if (series.size() == 1) {
    return data.series[series[0]].name;
  }
  return data.scales == ChartScales::dual ? "" : data.y_name;
}

// Draws the x axis under plot: tick marks and labels at calendar steps or nice numbers, and its title.
void draw_x_axis(std::string& out, const ChartData& data, const Box& plot, const Box& region, double x_min,
                 double x_max, bool x_title, const Scale& x_of) {
  out += "<g class=\"x-axis\">\n<line class=\"axis\" x1=\"" + num(plot.left) + "\" x2=\"" + num(plot.right) +
         "\" y1=\"" + num(plot.bottom) + "\" y2=\"" + num(plot.bottom) + "\" stroke=\"" + axis_colour +
         "\"/>\n";
  std::vector<TimeTick> ticks;
  if (data.numeric_x) {
    const int fit = static_cast<int>(std::clamp(std::floor(plot.width() / 70), 2.0, 8.0));
    const NiceTicks nice = nice_ticks(x_min, x_max, false, fit);
    for (double v : nice.values) {
      if (v >= x_min - 1e-9 * std::abs(x_max - x_min) && v <= x_max + 1e-9 * std::abs(x_max - x_min)) {
        ticks.push_back({v, tick_label(v, nice)});
      }
    }
  } else {
    ticks = time_ticks(x_min, x_max, data.dates_only, plot.width(), font * 0.62);
  }
  for (const TimeTick& tick : ticks) {
    const double x = x_of(tick.seconds);
    out += "<line class=\"tick-mark\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(plot.bottom) +
           "\" y2=\"" + num(plot.bottom + 5) + "\" stroke=\"" + axis_colour + "\"/>\n";
    // Keep the first and last labels inside the picture.
    const double half = text_px(tick.label, font) / 2;
    const double cx = std::max(half + 2, std::min(x, region.right + pad - 2 - half));
    add_text(out, cx, plot.bottom + 18, tick.label, "tick x", "text-anchor=\"middle\"");
  }
  if (x_title) {
    draw_x_title(out, data.x_name + (data.utc ? " (UTC)" : ""), plot, plot.bottom + 40);
  }
  out += "</g>\n";
}

} // namespace

const char* line_dash(const ChartData& data, size_t i) {
  return data.scales == ChartScales::dual && data.series[i].right_axis ? "6 3" : series_dash(i);
}

void draw_line_plot(std::string& out, const ChartData& data, const ChartStyle& style, const Box& region) {
  double x_min = data.x.front();
  double x_max = data.x.back();
  if (x_max <= x_min) { // one moment: centre it in a day (dates), an hour, or 1 either side
    const double half = data.numeric_x ? std::max(1.0, std::abs(x_min) / 10) : data.dates_only ? 86400 : 3600;
    x_min -= half;
    x_max += half;
  }
  const bool area = data.kind == ChartKind::area;
  const bool dual = data.scales == ChartScales::dual;
  const bool multiples = data.scales == ChartScales::multiples;
  const std::vector<std::vector<size_t>> panels = chart_panels(data);
  const size_t n = panels.size();
  const bool x_title = room_for_x_title(region);

  // Panels one above the other, the x axis under the last.
  const double title_px = multiples ? panel_title_px : 0;
  const double bottom = region.bottom - (x_title ? 44 : 24); // tick labels, then the axis title
  const double panel_px = std::max(
      20.0,
      (bottom - region.top - static_cast<double>(n - 1) * panel_gap_px) / static_cast<double>(n) - title_px);
  std::vector<Box> boxes(n);
  std::vector<NiceTicks> left_ticks(n);
  NiceTicks right_ticks;
  double labels_px = 0;
  bool left_titled = false;
  for (size_t p = 0; p < n; ++p) {
    boxes[p].top = region.top + static_cast<double>(p) * (panel_px + title_px + panel_gap_px) + title_px;
    boxes[p].bottom = boxes[p].top + panel_px;
    const std::vector<size_t> left = on_side(data, panels[p], false);
    const auto [lo, hi] = value_range(data, left, area);
    left_ticks[p] = nice_ticks(lo, hi, area, max_ticks_for(panel_px));
    labels_px = std::max(labels_px, y_labels_px(left_ticks[p]));
    left_titled = left_titled || (!multiples && !axis_title(data, left).empty());
  }
  const std::vector<size_t> right = dual ? on_side(data, panels[0], true) : std::vector<size_t>{};
  if (dual) {
    const auto [lo, hi] = value_range(data, right, false);
    right_ticks = nice_ticks(lo, hi, false, max_ticks_for(panel_px));
  }
  const double left = region.left + (left_titled ? 20 : 0) + labels_px + 12;
  const double right_edge = region.right - 8 - (dual ? y_labels_px(right_ticks) + 12 + 20 : 0);
  for (Box& b : boxes) {
    b.left = left;
    b.right = right_edge;
  }
  const Scale x_of = [&](double t) { return left + (t - x_min) / (x_max - x_min) * (right_edge - left); };

  for (size_t p = 0; p < n; ++p) {
    const Box& plot = boxes[p];
    const std::vector<size_t> left_series = on_side(data, panels[p], false);
    draw_y_axis(out, left_ticks[p], plot, multiples ? "" : axis_title(data, left_series), region.left + 10);
    if (multiples) {
      draw_panel_title(out, data.series[panels[p][0]].name, plot, series_colour(panels[p][0]));
    }
    if (dual) {
      draw_right_axis(out, right_ticks, plot, axis_title(data, right), region.right - 4,
                      right.size() == 1 ? series_colour(right[0]) : "");
      if (left_series.size() == 1) {
        draw_axis_line(out, plot.left, plot, series_colour(left_series[0]));
      }
    }
  }
  draw_x_axis(out, data, boxes.back(), region, x_min, x_max, x_title, x_of);

  // Clip ids are global to the page the SVG ends up in: two charts inlined in one HTML page must not
  // share one, or the second is clipped to the first's plot area. The id carries a digest of what was
  // drawn so far (axes, labels, title), so it stays deterministic (the same chart, the same bytes).
  const std::string clip_base = "autoreport-plot-area-" + short_digest(out);
  for (size_t p = 0; p < n; ++p) {
    const Box& plot = boxes[p];
    const NiceTicks& ticks = left_ticks[p];
    const std::string clip = clip_base + (p == 0 ? std::string() : "-" + std::to_string(p + 1));
    out += "<clipPath id=\"" + clip + "\"><rect x=\"" + num(plot.left - 3) + "\" y=\"" + num(plot.top - 3) +
           "\" width=\"" + num(plot.width() + 6) + "\" height=\"" + num(plot.height() + 6) +
           "\"/></clipPath>\n";
    out += "<g class=\"lines\" clip-path=\"url(#" + clip + ")\">\n";
    const Scale y_left = [&](double v) { return y_of(v, ticks, plot); };
    const Scale y_right = [&](double v) { return y_of(v, right_ticks, plot); };
    const auto y_for = [&](size_t s) -> const Scale& { return data.series[s].right_axis ? y_right : y_left; };
    for (const ChartBand& band : data.bands) {
      if (std::find(panels[p].begin(), panels[p].end(), band.series) != panels[p].end()) {
        out += "<g class=\"band\"><title>";
        append_xml_escaped(out, band.name);
        out += "</title>\n";
        draw_between(out, data.x, band.lower, band.upper, style.max_points, x_of, y_for(band.series),
                     series_colour(band.series), band_opacity, "band-area");
        out += "</g>\n";
      }
    }
    if (area) {
      draw_area_stack(out, data, panels[p], style, x_of, y_left);
    } else {
      for (size_t s : panels[p]) {
        const std::vector<LinePoint> points =
            downsample_min_max(data.x, data.series[s].values, style.max_points);
        draw_series(out, data, s, points, x_of, y_for(s));
      }
    }
    if (p == 0) {
      for (const ChartMarkers& markers : data.markers) {
        draw_markers(out, data, markers, x_of, y_left);
      }
    }
    out += "</g>\n";
  }
}

} // namespace autoreport::render::chart
