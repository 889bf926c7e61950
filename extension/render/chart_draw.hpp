// Drawing helpers shared by the chart files: coordinates, text measure, palette, value axis.
#pragma once

#include "render/axis.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoreport::render::chart {

inline constexpr double pad = 16;  // space around everything
inline constexpr double font = 12; // tick labels, axis labels, legend
inline constexpr double title_font = 16;
inline constexpr double note_font = 11;
inline constexpr const char* text_colour = "#222222";
inline constexpr const char* muted_colour = "#555555"; // 7.5:1 on white
inline constexpr const char* axis_colour = "#767676";  // 4.5:1 on white
inline constexpr const char* grid_colour = "#e3e3e3";
inline constexpr const char* band_opacity = "0.2";      // a band's fill, in its series' colour
inline constexpr const char* marker_colour = "#b3261e"; // rings of marked points: 5.9:1 on white

struct Box {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

// A coordinate or length for an attribute: at most two decimals, no trailing zeros.
std::string num(double v);

// A value for a tooltip: the shortest text that reads back as the same double.
std::string value_text(double v);

// The estimated width in pixels of text in the chart's sans-serif font.
double text_px(std::string_view text, double font_size);

// text cut with "…" to fit max_px (whole characters; escaping is left to the caller).
std::string ellipsize(std::string_view text, double max_px, double font_size);

// The colour of series i (Okabe-Ito, the low-contrast orange and sky blue last, yellow left out).
const char* series_colour(size_t i);

// The dash pattern of line i ("" for solid): the later, lighter colours are also dashed so that no
// line depends on colour alone.
const char* series_dash(size_t i);

// Appends <text> with escaped content; extra holds further attributes.
void add_text(std::string& out, double x, double y, std::string_view text, std::string_view css_class,
              std::string_view extra = "");

// The y pixel of value v on an axis from ticks.lo (at plot.bottom) to ticks.hi (at plot.top).
double y_of(double v, const NiceTicks& ticks, const Box& plot);

// How many value ticks a plot of this height has room for (one per 24 px, 2 to 8).
int max_ticks_for(double height_px);

// True when the picture is tall enough for an x axis title under the tick labels.
bool room_for_x_title(const Box& region);

// The width the y tick labels need.
double y_labels_px(const NiceTicks& ticks);

// Horizontal grid lines with their labels left of the plot, and the axis title turned upright
// beside them when `title` is not empty (at x = title_x).
void draw_y_axis(std::string& out, const NiceTicks& ticks, const Box& plot, std::string_view title,
                 double title_x);

// The x axis title, centred under the plot at baseline y.
void draw_x_title(std::string& out, std::string_view title, const Box& plot, double y);

// Tick labels right of the plot (no grid lines: the left axis has them) and the axis title turned
// beside them at title_x; the axis line in `colour` ties it to its series.
void draw_right_axis(std::string& out, const NiceTicks& ticks, const Box& plot, std::string_view title,
                     double title_x, std::string_view colour);

// A vertical axis line at x in `colour`, 2 px wide: ties an axis to the one series read on it.
void draw_axis_line(std::string& out, double x, const Box& plot, std::string_view colour);

// The name of a small multiple, above its panel.
void draw_panel_title(std::string& out, std::string_view title, const Box& plot, std::string_view colour);

// A function from a data value to a pixel.
using Scale = std::function<double(double)>;

// Polygons between lower and upper (one per run where both are finite), each reduced to max_points
// by min/max downsampling, filled with colour at opacity, of class css_class ("band-area" for bands,
// "area" for stacked areas, which get a thin white edge).
void draw_between(std::string& out, const std::vector<double>& x, const std::vector<double>& lower,
                  const std::vector<double>& upper, size_t max_points, const Scale& x_of,
                  const Scale& y_of_value, std::string_view colour, std::string_view opacity,
                  std::string_view css_class);

// An invisible circle with a tooltip "x — series: value" at each point, larger than the line so that
// it is easy to point at (pointer-events: all).
struct TipPoint {
  double x = 0;     // data x
  double y_px = 0;  // where the point is drawn
  double value = 0; // what the tooltip says
};
void draw_tooltips(std::string& out, size_t index, std::string_view series_name,
                   const std::vector<TipPoint>& points, const Scale& x_of,
                   const std::function<std::string(double)>& x_text);

} // namespace autoreport::render::chart

namespace autoreport::render {
struct ChartData;
struct ChartStyle;
} // namespace autoreport::render

namespace autoreport::render::chart {

// The series drawn in each panel, top to bottom: every series in one panel, or one panel per series
// for small multiples.
std::vector<std::vector<size_t>> chart_panels(const ChartData& data);

// The lowest and highest finite values of the given series, with their bands (and the markers when
// series 0 is among them); with `stacked`, the lowest and highest sums of the negative and positive
// values at one x. 0 and 1 when there is none.
std::pair<double, double> value_range(const ChartData& data, const std::vector<size_t>& series, bool stacked);

// The dash pattern of series i as drawn: the palette's, or dashed when read on the right axis.
const char* line_dash(const ChartData& data, size_t i);

// Draws the stacked areas of the given series (positive values stacked upwards from zero, negative
// values downwards), with a tooltip at each point of their outer edges.
void draw_area_stack(std::string& out, const ChartData& data, const std::vector<size_t>& series,
                     const ChartStyle& style, const Scale& x_of, const Scale& y_of_value);

// The plot of a line chart over time inside region (axes, grid, lines).
void draw_line_plot(std::string& out, const ChartData& data, const ChartStyle& style, const Box& region);

// The plot of a bar chart over categories inside region (axes, grid, bars).
void draw_bar_plot(std::string& out, const ChartData& data, const Box& region);

} // namespace autoreport::render::chart
