// Drawing helpers shared by the chart files: coordinates, text measure, palette, value axis.
#pragma once

#include "render/axis.hpp"

#include <string>
#include <string_view>
#include <utility>

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

} // namespace autoreport::render::chart

namespace autoreport::render {
struct ChartData;
struct ChartStyle;
} // namespace autoreport::render

namespace autoreport::render::chart {

// The lowest and highest finite values of all series (0 and 1 when there is none).
std::pair<double, double> value_range(const ChartData& data);

// The plot of a line chart over time inside region (axes, grid, lines).
void draw_line_plot(std::string& out, const ChartData& data, const ChartStyle& style, const Box& region);

// The plot of a bar chart over categories inside region (axes, grid, bars).
void draw_bar_plot(std::string& out, const ChartData& data, const Box& region);

} // namespace autoreport::render::chart
