// Shapes along x: filled areas between two edges (bands, stacked areas), and the invisible points that
// give every drawn value a tooltip.
#include "render/chart.hpp"
#include "render/chart_draw.hpp"
#include "render/downsample.hpp"
#include "render/escape.hpp"

#include <algorithm>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render::chart {

void draw_between(std::string& out, const std::vector<double>& x, const std::vector<double>& lower,
                  const std::vector<double>& upper, size_t max_points, const Scale& x_of,
                  const Scale& y_of_value, std::string_view colour, std::string_view opacity,
                  std::string_view css_class) {
  const bool edged = css_class != "band-area"; // stacked areas: a thin white edge between neighbours
  size_t start = 0;
  const size_t n = std::min({x.size(), lower.size(), upper.size()});
  const auto present = [&](size_t i) { return std::isfinite(lower[i]) && std::isfinite(upper[i]); };
  const auto slice = [](const std::vector<double>& v, size_t from, size_t to) {
    return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(from),
                               v.begin() + static_cast<std::ptrdiff_t>(to));
  };
  while (start < n) {
    if (!present(start)) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < n && present(end)) {
      ++end;
    }
    const std::vector<double> xs = slice(x, start, end);
    const std::vector<LinePoint> top = downsample_min_max(xs, slice(upper, start, end), max_points);
    const std::vector<LinePoint> bottom = downsample_min_max(xs, slice(lower, start, end), max_points);
    out += "<polygon class=\"";
    out += css_class;
    out += "\" fill=\"";
    out += colour;
    out += "\" fill-opacity=\"";
    out += opacity;
    out += edged ? "\" stroke=\"#ffffff\" stroke-width=\"0.75\" points=\"" : "\" stroke=\"none\" points=\"";
    bool first = true;
    for (const LinePoint& p : top) {
      out += (first ? "" : " ") + num(x_of(p.x)) + "," + num(y_of_value(p.y));
      first = false;
    }
    for (auto it = bottom.rbegin(); it != bottom.rend(); ++it) {
      out += " " + num(x_of(it->x)) + "," + num(y_of_value(it->y));
    }
    out += "\"/>\n";
    start = end;
  }
}

void draw_tooltips(std::string& out, size_t index, std::string_view series_name,
                   const std::vector<TipPoint>& points, const Scale& x_of,
                   const std::function<std::string(double)>& x_text) {
  if (points.empty()) {
    return;
  }
  out += "<g class=\"points\" data-series=\"" + std::to_string(index) +
         "\" fill=\"none\" pointer-events=\"all\">\n";
  for (const TipPoint& p : points) {
    out += "<circle class=\"point\" cx=\"" + num(x_of(p.x)) + "\" cy=\"" + num(p.y_px) + "\" r=\"5\"><title>";
    append_xml_escaped(out, x_text(p.x) + " \u2014 " + std::string(series_name) + ": " + value_text(p.value));
    out += "</title></circle>\n";
  }
  out += "</g>\n";
}

void draw_area_stack(std::string& out, const ChartData& data, const std::vector<size_t>& series,
                     const ChartStyle& style, const Scale& x_of, const Scale& y_of_value) {
  const size_t n = data.x.size();
  std::vector<double> up(n, 0.0);   // the top of the positive stack so far
  std::vector<double> down(n, 0.0); // the bottom of the negative stack so far
  // Tooltips at every k-th point when there are more than max_points, to keep the file small.
  const size_t every =
      std::max<size_t>(1, (n + style.max_points - 1) / std::max<size_t>(style.max_points, 1));
  for (size_t s : series) {
    const std::vector<double>& v = data.series[s].values;
    std::vector<double> pos_lo(n, NAN);
    std::vector<double> pos_hi(n, NAN);
    std::vector<double> neg_lo(n, NAN);
    std::vector<double> neg_hi(n, NAN);
    std::vector<TipPoint> tips;
    bool any_negative = false;
    for (size_t i = 0; i < n && i < v.size(); ++i) {
      if (!std::isfinite(v[i])) {
        continue; // no value: a gap in this series' areas; the others stack as if it were 0
      }
      // The positive part upwards from the positive stack, the negative part downwards from the
      // negative one: each is 0 thick where the value has the other sign.
      pos_lo[i] = up[i];
      pos_hi[i] = up[i] + std::max(v[i], 0.0);
      neg_hi[i] = down[i];
      neg_lo[i] = down[i] + std::min(v[i], 0.0);
      any_negative = any_negative || v[i] < 0;
      up[i] = pos_hi[i];
      down[i] = neg_lo[i];
      if (i % every == 0) {
        tips.push_back({data.x[i], y_of_value(v[i] < 0 ? neg_lo[i] : pos_hi[i]), v[i]});
      }
    }
    const std::string colour = series_colour(s);
    out +=
        "<g class=\"series area\" data-series=\"" + std::to_string(s) + "\" fill=\"" + colour + "\"><title>";
    append_xml_escaped(out, data.series[s].name);
    out += "</title>\n";
    draw_between(out, data.x, pos_lo, pos_hi, style.max_points, x_of, y_of_value, colour, "0.85", "area");
    if (any_negative) {
      draw_between(out, data.x, neg_lo, neg_hi, style.max_points, x_of, y_of_value, colour, "0.85", "area");
    }
    out += "</g>\n";
    draw_tooltips(out, s, data.series[s].name, tips, x_of, [&](double x) { return chart_x_text(data, x); });
  }
}

} // namespace autoreport::render::chart
