// Forecast charts for the SVG renderer.
#include "forecast/chart_data.hpp"

#include "common/calendar.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string level_text(double level) {
  char text[32];
  std::snprintf(text, sizeof text, "%g%% interval", level);
  return text;
}

// A line chart over the series' times, without data yet: dates only when every step is at midnight,
// labelled in UTC when the times are absolute.
render::ChartData time_chart(const RegularSeries& series, std::string title) {
  render::ChartData c;
  c.title = std::move(title);
  c.x_name = "time";
  c.temporal = true;
  c.utc = series.absolute;
  c.dates_only = (series.step.months != 0 || series.step.micros % kMicrosPerDay == 0) &&
                 floor_mod(series.start, kMicrosPerDay) == 0;
  return c;
}

// The x value of point t (history or forecast): seconds since 1970.
double time_x(const RegularSeries& series, size_t t) {
  return static_cast<double>(add_steps(series.start, series.step, static_cast<int64_t>(t))) /
         static_cast<double>(kMicrosPerSecond);
}

} // namespace

render::ChartData forecast_chart_data(const RegularSeries& history, const Forecast& forecast,
                                      size_t level_index, std::string title, std::string value_name) {
  render::ChartData c = time_chart(history, std::move(title));
  const size_t n = history.values.size();
  const size_t h = forecast.mean.size();
  render::ChartSeries past{value_name, {}};
  render::ChartSeries future{"forecast", {}};
  const bool band = level_index < forecast.levels.size();
  render::ChartBand interval;
  if (band) {
    interval.name = level_text(forecast.levels[level_index]);
    interval.series = 1;
  }
  for (size_t t = 0; t < n + h; ++t) {
    c.x.push_back(time_x(history, t));
    const bool observed = t < n;
    past.values.push_back(observed ? history.values[t] : kNan);
    // The forecast line and band start at the last observed value, so that they join the history.
    const double joined = t + 1 == n ? history.values[t] : kNan;
    future.values.push_back(observed ? joined : forecast.mean[t - n]);
    if (band) {
      interval.lower.push_back(observed ? joined : forecast.lower[level_index][t - n]);
      interval.upper.push_back(observed ? joined : forecast.upper[level_index][t - n]);
    }
  }
  if (band) {
    // A quantity never observed below zero (sales, visits) is not forecast below it either.
    render::floor_band_at_zero(interval, history.values);
  }
  c.series = {std::move(past), std::move(future)};
  if (band) {
    c.bands.push_back(std::move(interval));
  }
  c.numeric_columns = c.series.size();
  return c;
}

render::ChartData anomaly_chart_data(const RegularSeries& series, std::span<const AnomalyPoint> points,
                                     std::string title, std::string value_name) {
  render::ChartData c = time_chart(series, std::move(title));
  render::ChartSeries observed{value_name, {}};
  render::ChartSeries expected{"expected", {}};
  render::ChartBand range{"expected range", 1, {}, {}};
  render::ChartMarkers flagged{"anomaly", {}};
  for (size_t t = 0; t < series.values.size() && t < points.size(); ++t) {
    c.x.push_back(time_x(series, t));
    const bool missing = t < series.missing.size() && series.missing[t];
    observed.values.push_back(missing ? kNan : series.values[t]);
    expected.values.push_back(points[t].expected);
    range.lower.push_back(points[t].lower);
    range.upper.push_back(points[t].upper);
    flagged.values.push_back(points[t].flag && !missing ? series.values[t] : kNan);
  }
  // The expected range of a quantity never observed below zero does not reach below it.
  render::floor_band_at_zero(range, observed.values);
  c.series = {std::move(observed), std::move(expected)};
  c.bands.push_back(std::move(range));
  c.markers.push_back(std::move(flagged));
  c.numeric_columns = c.series.size();
  return c;
}

} // namespace autoreport::forecast
