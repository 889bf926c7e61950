// What a chart shows, in words: the end of its <desc>, read by screen readers, and its visible notes.
#include "common/calendar.hpp"
#include "render/chart.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// "a", "a and b", "a, b and c".
std::string names_of(const std::vector<ChartSeries>& series) {
  std::string out;
  for (size_t i = 0; i < series.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == series.size() ? " and " : ", ") + series[i].name;
  }
  return out;
}

// "1 point", "730 points".
std::string count(size_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// A time of the x axis as text: a date for dates, else date and time (seconds when there are any).
std::string moment(double seconds, bool dates_only, bool with_seconds) {
  const auto t = static_cast<int64_t>(std::floor(seconds));
  return dates_only ? format_date(floor_div(t, 86400)) : format_date_time(t, with_seconds);
}

// "date" for date axes, "time" for times, "x value" for numbers.
std::string moment_word(const ChartData& data) {
  return data.numeric_x ? "x value" : data.dates_only ? "date" : "time";
}

// "Line chart", "Stacked bar chart", ...
std::string kind_words(const ChartData& data) {
  switch (data.kind) {
  case ChartKind::line:
    return "Line chart";
  case ChartKind::bar:
    return "Bar chart";
  case ChartKind::stacked:
    return "Stacked bar chart";
  case ChartKind::area:
    return "Stacked area chart";
  }
  return "Chart";
}

// "Revenue and Orders", or with split series "Revenue, one series per Region (North, South and East)".
std::string what_is_drawn(const ChartData& data) {
  if (data.split_by.empty()) {
    return names_of(data.series);
  }
  return (data.y_name.empty() ? std::string("values") : data.y_name) + ", one series per " + data.split_by +
         " (" + names_of(data.series) + ")";
}

// The names in a list, at most `most` of them, then "and N more".
std::string some_names(const std::vector<std::string>& names, size_t most) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < most; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > most) {
    out += " and " + std::to_string(names.size() - most) + " more";
  }
  return out;
}

// How the series share their axes, when they do not share one.
std::string scales_sentence(const ChartData& data) {
  const std::string why = data.scales_differ ? ", as their values differ by more than 10 times" : "";
  if (data.scales == ChartScales::dual) {
    std::vector<ChartSeries> left;
    std::vector<ChartSeries> right;
    for (const ChartSeries& s : data.series) {
      (s.right_axis ? right : left).push_back(s);
    }
    return " " + names_of(right) + " " + (right.size() == 1 ? "is" : "are") +
           " read on a second value axis on the right, " + names_of(left) + " on the left" + why + ".";
  }
  if (data.scales == ChartScales::multiples) {
    return " Each series is drawn in its own panel with its own value axis (small multiples), one above "
           "the other, sharing the " +
           data.x_name + " axis" + why + ".";
  }
  return "";
}

// "2 infinite values not drawn.", "1 NaN value not drawn.": values a series holds that no chart can
// place, in <desc> and under the chart.
std::vector<std::string> unplottable_notes(const ChartData& data) {
  std::vector<std::string> notes;
  if (data.values_infinite > 0) {
    notes.push_back(count(data.values_infinite, "infinite value", "infinite values") + " not drawn.");
  }
  if (data.values_nan > 0) {
    notes.push_back(count(data.values_nan, "NaN value", "NaN values") + " not drawn.");
  }
  return notes;
}

} // namespace

bool chart_over_x(const ChartData& data) {
  return data.temporal || data.numeric_x;
}

std::string chart_x_text(const ChartData& data, double x) {
  if (data.numeric_x) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, result.ptr);
  }
  return moment(x, data.dates_only, std::fmod(x, 60) != 0) + (data.utc ? " UTC" : "");
}

std::string chart_summary(const ChartData& data, const ChartStyle& style) {
  std::string s = kind_words(data) + " of " + what_is_drawn(data) + " by " + data.x_name;
  if (chart_empty(data)) {
    s += "; no data.";
  } else if (chart_over_x(data) && data.numeric_x) {
    s += " from " + chart_x_text(data, data.x.front()) + " to " + chart_x_text(data, data.x.back()) + "; " +
         count(data.x.size(), "point", "points") + ".";
  } else if (chart_over_x(data)) {
    const bool with_seconds = std::fmod(data.x.front(), 60) != 0 || std::fmod(data.x.back(), 60) != 0;
    s += " from " + moment(data.x.front(), data.dates_only, with_seconds) + " to " +
         moment(data.x.back(), data.dates_only, with_seconds) + (data.utc ? " UTC" : "") + "; " +
         count(data.x.size(), "point", "points") + ".";
    if (data.x.size() > style.max_points && data.kind == ChartKind::line) {
      s += " Each line is reduced to at most " + std::to_string(style.max_points) +
           " points, keeping the lowest and highest value of every interval so that peaks remain.";
    }
  } else {
    s += "; " + count(data.categories.size(), "category", "categories") + ".";
  }
  if (!chart_empty(data) && data.series.size() > 1 && data.kind == ChartKind::stacked) {
    s += " The bars of each category are stacked: positive values upwards from zero, negative values "
         "downwards.";
  } else if (!chart_empty(data) && data.kind == ChartKind::area) {
    s += " The areas are stacked: positive values upwards from zero, negative values downwards.";
  }
  s += scales_sentence(data);
  for (const ChartBand& band : data.bands) {
    if (band.series < data.series.size()) {
      s += " A shaded band shows the " + band.name + " of " + data.series[band.series].name + ".";
      if (band.floored) {
        s += " Its lower bound is drawn at 0 where it fell below, as no observed value is negative.";
      }
    }
  }
  for (const ChartMarkers& markers : data.markers) {
    size_t marked = 0;
    for (const double v : markers.values) {
      marked += std::isfinite(v) ? 1 : 0;
    }
    s += " " + count(marked, "point is", "points are") + " marked as " + markers.name + ".";
  }
  if (data.categories_total > data.categories.size()) {
    s += " Only the first " + std::to_string(data.categories.size()) + " of " +
         std::to_string(data.categories_total) + " categories are shown.";
  }
  if (data.numeric_columns > data.series.size()) {
    s += " Only the first " + std::to_string(data.series.size()) + " of " +
         std::to_string(data.numeric_columns) + " numeric columns are drawn.";
  }
  if (!data.left_out.empty()) {
    s += " Only the " + std::to_string(data.series.size()) + " of " +
         std::to_string(data.series.size() + data.left_out.size()) +
         " series with the largest totals are drawn; not drawn: " + some_names(data.left_out, 50) + ".";
  }
  if (data.rows_added_up > 0) {
    s += " " + count(data.rows_added_up, "row", "rows") + " with the same " + data.x_name + " and " +
         data.split_by + " as an earlier row " + (data.rows_added_up == 1 ? "is" : "are") + " added to it.";
  }
  if (data.rows_without_x > 0) {
    s += " " + count(data.rows_without_x, "row", "rows") + " without a " + moment_word(data) +
         (data.rows_without_x == 1 ? " is" : " are") + " left out.";
  }
  for (const std::string& note : unplottable_notes(data)) {
    s += " " + note;
  }
  return s;
}

std::vector<std::string> chart_notes(const ChartData& data) {
  std::vector<std::string> notes;
  if (data.categories_total > data.categories.size()) {
    notes.push_back("Showing the first " + std::to_string(data.categories.size()) + " of " +
                    std::to_string(data.categories_total) + " categories.");
  }
  if (data.numeric_columns > data.series.size()) {
    notes.push_back("Showing the first " + std::to_string(data.series.size()) + " of " +
                    std::to_string(data.numeric_columns) + " numeric columns.");
  }
  if (!data.left_out.empty()) {
    notes.push_back("Showing the " + std::to_string(data.series.size()) + " largest of " +
                    std::to_string(data.series.size() + data.left_out.size()) +
                    " series; not drawn: " + some_names(data.left_out, 10) + ".");
  }
  if (data.rows_added_up > 0) {
    notes.push_back(count(data.rows_added_up, "repeated row", "repeated rows") + " added up.");
  }
  if (data.rows_without_x > 0) {
    notes.push_back(count(data.rows_without_x, "row", "rows") + " without a " + moment_word(data) +
                    " not shown.");
  }
  for (const std::string& note : unplottable_notes(data)) {
    notes.push_back(note);
  }
  return notes;
}

} // namespace autoreport::render
