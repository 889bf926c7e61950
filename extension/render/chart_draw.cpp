// Coordinates, text measure, palette and the value axis of the charts.
#include "render/chart_draw.hpp"

#include "render/escape.hpp"
#include "render/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render::chart {

namespace {
// The presentation attributes of each kind of text (attributes rather than CSS, which some SVG
// consumers ignore).
std::string_view text_style(std::string_view css_class) {
  if (css_class == "title") {
    return R"( font-size="16" font-weight="bold" fill="#222222")";
  }
  if (css_class == "axis-title" || css_class == "legend" || css_class == "panel-title") {
    return R"( font-size="12" fill="#222222")";
  }
  if (css_class == "note") {
    return R"( font-size="11" font-style="italic" fill="#555555")";
  }
  if (css_class == "no-data") {
    return R"( font-size="14" fill="#555555" text-anchor="middle")";
  }
  return R"( font-size="12" fill="#555555")"; // tick labels
}

// Width of one character relative to the font size (DejaVu Sans / Helvetica-like metrics).
double char_em(char32_t c) {
  if (c == ' ' || c == '.' || c == ',' || c == ':' || c == ';' || c == '\'' || c == '|' || c == '!' ||
      c == 'i' || c == 'l' || c == 'j') {
    return 0.32;
  }
  if (c >= 'A' && c <= 'Z') {
    return 0.72;
  }
  if (c == 'm' || c == 'w' || c == 'M' || c == 'W') {
    return 0.92;
  }
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFF60) || c >= 0x1F300) {
    return 1.0;
  }
  return 0.62;
}
} // namespace

std::string num(double v) {
  if (!std::isfinite(v)) {
    return "0";
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, 2);
  std::string s(buffer, result.ptr);
  while (s.back() == '0') {
    s.pop_back();
  }
  if (s.back() == '.') {
    s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string value_text(double v) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

double text_px(std::string_view text, double font_size) {
  double em = 0;
  for (size_t pos = 0; pos < text.size();) {
    em += char_em(decode_utf8(text, pos));
  }
  return em * font_size;
}

std::string ellipsize(std::string_view text, double max_px, double font_size) {
  if (text_px(text, font_size) <= max_px) {
    return std::string(text);
  }
  const double budget = max_px - text_px("\u2026", font_size);
  std::string out;
  double used = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    const double w = char_em(decode_utf8(text, pos)) * font_size;
    if (used + w > budget) {
      break;
    }
    used += w;
    out.append(text.substr(start, pos - start));
  }
  return out + "\u2026";
}

const char* series_colour(size_t i) {
  static constexpr const char* palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                            "#000000", "#E69F00", "#56B4E9"};
  return palette[i % std::size(palette)];
}

const char* series_dash(size_t i) {
  static constexpr const char* dashes[] = {"", "", "", "", "", "6 3", "2 2"};
  return dashes[i % std::size(dashes)];
}

void add_text(std::string& out, double x, double y, std::string_view text, std::string_view css_class,
              std::string_view extra) {
  out += "<text class=\"";
  out += css_class;
  out += "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
  out += text_style(css_class);
  if (!extra.empty()) {
    out += ' ';
    out += extra;
  }
  out += '>';
  append_xml_escaped(out, text);
  out += "</text>\n";
}

double y_of(double v, const NiceTicks& ticks, const Box& plot) {
  const double span = ticks.hi - ticks.lo;
  const double f = span > 0 ? (v - ticks.lo) / span : 0.5;
  return plot.bottom - std::clamp(f, -0.05, 1.05) * plot.height();
}

int max_ticks_for(double height_px) {
  return static_cast<int>(std::clamp(std::floor(height_px / 24) + 1, 2.0, 8.0));
}

bool room_for_x_title(const Box& region) {
  return region.height() >= 200;
}

double y_labels_px(const NiceTicks& ticks) {
  double widest = 0;
  for (double v : ticks.values) {
    widest = std::max(widest, text_px(tick_label(v, ticks), font));
  }
  return widest;
}

void draw_y_axis(std::string& out, const NiceTicks& ticks, const Box& plot, std::string_view title,
                 double title_x) {
  out += "<g class=\"y-axis\">\n";
  for (double v : ticks.values) {
    const std::string y = num(y_of(v, ticks, plot));
    out += "<line class=\"grid\" x1=\"" + num(plot.left) + "\" x2=\"" + num(plot.right) + "\" y1=\"" + y +
           "\" y2=\"" + y + "\" stroke=\"" + (v == 0 ? axis_colour : grid_colour) +
           "\" stroke-width=\"1\"/>\n";
    add_text(out, plot.left - 8, y_of(v, ticks, plot) + 4, tick_label(v, ticks), "tick y",
             "text-anchor=\"end\"");
  }
  if (!title.empty()) {
    const double cy = (plot.top + plot.bottom) / 2;
    const std::string shown = ellipsize(title, plot.height(), font);
    add_text(out, title_x, cy, shown, "axis-title",
             "text-anchor=\"middle\" transform=\"rotate(-90 " + num(title_x) + " " + num(cy) + ")\"");
  }
  out += "</g>\n";
}

void draw_x_title(std::string& out, std::string_view title, const Box& plot, double y) {
  add_text(out, (plot.left + plot.right) / 2, y, ellipsize(title, plot.width(), font), "axis-title",
           "text-anchor=\"middle\"");
}

void draw_right_axis(std::string& out, const NiceTicks& ticks, const Box& plot, std::string_view title,
                     double title_x, std::string_view colour) {
  out += "<g class=\"y-axis right\">\n";
  for (double v : ticks.values) {
    add_text(out, plot.right + 8, y_of(v, ticks, plot) + 4, tick_label(v, ticks), "tick y right",
             "text-anchor=\"start\"");
  }
  if (!colour.empty()) {
    draw_axis_line(out, plot.right, plot, colour);
  }
  if (!title.empty()) {
    const double cy = (plot.top + plot.bottom) / 2;
    add_text(out, title_x, cy, ellipsize(title, plot.height(), font), "axis-title right",
             "text-anchor=\"middle\" transform=\"rotate(90 " + num(title_x) + " " + num(cy) + ")\"");
  }
  out += "</g>\n";
}

void draw_axis_line(std::string& out, double x, const Box& plot, std::string_view colour) {
  out += "<line class=\"axis-line\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(plot.top) +
         "\" y2=\"" + num(plot.bottom) + "\" stroke=\"";
  out += colour;
  out += "\" stroke-width=\"2\"/>\n";
}

void draw_panel_title(std::string& out, std::string_view title, const Box& plot, std::string_view colour) {
  out += "<rect class=\"swatch\" x=\"" + num(plot.left) + "\" y=\"" + num(plot.top - 14) +
         "\" width=\"10\" height=\"10\" fill=\"";
  out += colour;
  out += "\"/>\n";
  add_text(out, plot.left + 14, plot.top - 5, ellipsize(title, plot.width() - 14, font), "panel-title");
}

} // namespace autoreport::render::chart
