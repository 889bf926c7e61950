// What a chart shows, in words: the end of its <desc>, read by screen readers, and its visible notes.
#include "common/calendar.hpp"
#include "render/chart.hpp"

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

// "date" for date axes, "time" otherwise.
std::string moment_word(const ChartData& data) {
  return data.dates_only ? "date" : "time";
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

std::string chart_summary(const ChartData& data, const ChartStyle& style) {
  std::string s = std::string(data.temporal ? "Line chart of " : "Bar chart of ") + names_of(data.series) +
                  " by " + data.x_name;
  if (chart_empty(data)) {
    s += "; no data.";
  } else if (data.temporal) {
    const bool with_seconds = std::fmod(data.x.front(), 60) != 0 || std::fmod(data.x.back(), 60) != 0;
    s += " from " + moment(data.x.front(), data.dates_only, with_seconds) + " to " +
         moment(data.x.back(), data.dates_only, with_seconds) + (data.utc ? " UTC" : "") + "; " +
         count(data.x.size(), "point", "points") + ".";
    if (data.x.size() > style.max_points) {
      s += " Each line is reduced to at most " + std::to_string(style.max_points) +
           " points, keeping the lowest and highest value of every interval so that peaks remain.";
    }
  } else {
    s += "; " + count(data.categories.size(), "category", "categories") + ".";
  }
  for (const ChartBand& band : data.bands) {
    if (band.series < data.series.size()) {
      s += " A shaded band shows the " + band.name + " of " + data.series[band.series].name + ".";
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
