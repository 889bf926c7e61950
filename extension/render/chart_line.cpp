// The line chart over time: x proportional to time, one polyline per series, broken where a value is
// missing, downsampled by min/max when a line has more points than max_points.
#include "render/chart.hpp"
#include "render/chart_draw.hpp"
#include "render/downsample.hpp"
#include "render/escape.hpp"
#include "render/time_axis.hpp"

#include <algorithm>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render::chart {

namespace {

// Draws one series: a polyline for each unbroken run, a dot for a run of one point.
void draw_series(std::string& out, size_t index, const ChartSeries& series,
                 const std::vector<LinePoint>& points, const auto& x_of, const auto& y_of_value) {
  const std::string colour = series_colour(index);
  const std::string dash = series_dash(index);
  out += "<g class=\"series\" data-series=\"" + std::to_string(index) + "\">\n";
  std::string title = "<title>";
  append_xml_escaped(title, series.name);
  title += "</title>";
  size_t start = 0;
  while (start < points.size()) {
    if (std::isnan(points[start].y)) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < points.size() && !std::isnan(points[end].y)) {
      ++end;
    }
    if (end - start == 1) {
      out += "<circle class=\"series-point\" cx=\"" + num(x_of(points[start].x)) + "\" cy=\"" +
             num(y_of_value(points[start].y)) + "\" r=\"2.5\" fill=\"" + colour + "\"><title>";
      append_xml_escaped(out, series.name + ": " + value_text(points[start].y));
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
}

// Draws a band as one polygon per unbroken run: the upper bounds left to right, the lower back.
void draw_band(std::string& out, const ChartBand& band, const std::vector<double>& x, size_t max_points,
               const auto& x_of, const auto& y_of_value) {
  out += "<g class=\"band\"><title>";
  append_xml_escaped(out, band.name);
  out += "</title>\n";
  size_t start = 0;
  const size_t n = std::min({x.size(), band.lower.size(), band.upper.size()});
  const auto present = [&](size_t i) { return std::isfinite(band.lower[i]) && std::isfinite(band.upper[i]); };
  while (start < n) {
    if (!present(start)) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < n && present(end)) {
      ++end;
    }
    const std::vector<double> xs(x.begin() + static_cast<std::ptrdiff_t>(start),
                                 x.begin() + static_cast<std::ptrdiff_t>(end));
    const std::vector<double> lo(band.lower.begin() + static_cast<std::ptrdiff_t>(start),
                                 band.lower.begin() + static_cast<std::ptrdiff_t>(end));
    const std::vector<double> hi(band.upper.begin() + static_cast<std::ptrdiff_t>(start),
                                 band.upper.begin() + static_cast<std::ptrdiff_t>(end));
    const std::vector<LinePoint> upper = downsample_min_max(xs, hi, max_points);
    const std::vector<LinePoint> lower = downsample_min_max(xs, lo, max_points);
    out += "<polygon class=\"band-area\" fill=\"" + std::string(series_colour(band.series)) +
           "\" fill-opacity=\"" + band_opacity + "\" stroke=\"none\" points=\"";
    bool first = true;
    for (const LinePoint& p : upper) {
      out += (first ? "" : " ") + num(x_of(p.x)) + "," + num(y_of_value(p.y));
      first = false;
    }
    for (auto it = lower.rbegin(); it != lower.rend(); ++it) {
      out += " " + num(x_of(it->x)) + "," + num(y_of_value(it->y));
    }
    out += "\"/>\n";
    start = end;
  }
  out += "</g>\n";
}

// Draws a ring at every marked value, with the value in its tooltip.
void draw_markers(std::string& out, const ChartMarkers& markers, const std::vector<double>& x,
                  const auto& x_of, const auto& y_of_value) {
  out += "<g class=\"markers\">\n";
  for (size_t i = 0; i < std::min(x.size(), markers.values.size()); ++i) {
    if (!std::isfinite(markers.values[i])) {
      continue;
    }
    out += "<circle class=\"marker\" cx=\"" + num(x_of(x[i])) + "\" cy=\"" +
           num(y_of_value(markers.values[i])) + "\" r=\"5\" fill=\"none\" stroke=\"" +
           std::string(marker_colour) + "\" stroke-width=\"2\"><title>";
    append_xml_escaped(out, markers.name + ": " + value_text(markers.values[i]));
    out += "</title></circle>\n";
  }
  out += "</g>\n";
}

} // namespace

void draw_line_plot(std::string& out, const ChartData& data, const ChartStyle& style, const Box& region) {
  double x_min = data.x.front();
  double x_max = data.x.back();
  if (x_max <= x_min) { // one moment: centre it in a day (dates) or an hour
    const double half = data.dates_only ? 86400 : 3600;
    x_min -= half;
    x_max += half;
  }
  const bool x_title = room_for_x_title(region);
  Box plot;
  plot.top = region.top;
  plot.bottom = region.bottom - (x_title ? 44 : 24); // tick labels, then the axis title
  const auto [lo, hi] = value_range(data);
  const NiceTicks ticks = nice_ticks(lo, hi, false, max_ticks_for(plot.height()));
  const std::string y_title = data.series.size() == 1 ? data.series[0].name : "";
  plot.left = region.left + (y_title.empty() ? 0 : 20) + y_labels_px(ticks) + 12;
  plot.right = region.right - 8;
  const auto x_of = [&](double t) { return plot.left + (t - x_min) / (x_max - x_min) * plot.width(); };
  const auto y_of_value = [&](double v) { return y_of(v, ticks, plot); };

  draw_y_axis(out, ticks, plot, y_title, region.left + 10);

  out += "<g class=\"x-axis\">\n<line class=\"axis\" x1=\"" + num(plot.left) + "\" x2=\"" + num(plot.right) +
         "\" y1=\"" + num(plot.bottom) + "\" y2=\"" + num(plot.bottom) + "\" stroke=\"" + axis_colour +
         "\"/>\n";
  for (const TimeTick& tick : time_ticks(x_min, x_max, data.dates_only, plot.width(), font * 0.62)) {
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

  out += "<clipPath id=\"autoreport-plot-area\"><rect x=\"" + num(plot.left - 3) + "\" y=\"" +
         num(plot.top - 3) + "\" width=\"" + num(plot.width() + 6) + "\" height=\"" + num(plot.height() + 6) +
         "\"/></clipPath>\n";
  out += "<g class=\"lines\" clip-path=\"url(#autoreport-plot-area)\">\n";
  for (const ChartBand& band : data.bands) {
    draw_band(out, band, data.x, style.max_points, x_of, y_of_value);
  }
  for (size_t i = 0; i < data.series.size(); ++i) {
    const std::vector<LinePoint> points = downsample_min_max(data.x, data.series[i].values, style.max_points);
    draw_series(out, i, data.series[i], points, x_of, y_of_value);
  }
  for (const ChartMarkers& markers : data.markers) {
    draw_markers(out, markers, data.x, x_of, y_of_value);
  }
  out += "</g>\n";
}

} // namespace autoreport::render::chart
