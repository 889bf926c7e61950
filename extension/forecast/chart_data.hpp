// Charts of forecasts and anomalies as the SVG renderer draws them (render/chart.hpp): the history and
// the forecast as two lines over time with the prediction interval as a shaded band; or the series,
// its expected value and the expected range as a band, with the anomalies marked.
#pragma once

#include "forecast/anomaly.hpp"
#include "forecast/regular.hpp"
#include "forecast/simple.hpp"
#include "render/chart.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace autoreport::forecast {

// The chart of a regular history and its forecast, with the interval of forecast.levels[level_index]
// as a band (no band when there are no levels). The forecast line starts at the last observed value.
render::ChartData forecast_chart_data(const RegularSeries& history, const Forecast& forecast,
                                      size_t level_index, std::string title, std::string value_name);

// The chart of detected anomalies: the observed values (gaps where a bucket was missing), the expected
// values, the band between the lower and upper bounds, and a ring on every flagged value.
render::ChartData anomaly_chart_data(const RegularSeries& series, std::span<const AnomalyPoint> points,
                                     std::string title, std::string value_name);

// Whether times (wall-clock microseconds) are all at midnight, so that the axis shows dates.
bool all_midnights(const RegularSeries& history);

} // namespace autoreport::forecast
