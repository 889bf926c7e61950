// Forecast accuracy measures (sMAPE, MASE, MSIS, coverage).
#include "forecast/accuracy.hpp"

#include "common/error.hpp"
#include "forecast/checks.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

namespace {

void check_same_length(std::span<const double> a, std::span<const double> b, const char* what) {
  if (a.size() != b.size()) {
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + ": " + std::to_string(a.size()) +
                                                       " actual values but " + std::to_string(b.size()) +
                                                       " forecast values");
  }
  if (a.empty()) {
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + ": no values to score");
  }
}

} // namespace

double smape(std::span<const double> actual, std::span<const double> predicted) {
  check_same_length(actual, predicted, "sMAPE");
  require_finite(actual, "sMAPE actual values");
  require_finite(predicted, "sMAPE forecast values");
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double denominator = std::fabs(actual[i]) + std::fabs(predicted[i]);
    sum += denominator == 0 ? 0 : 200 * std::fabs(predicted[i] - actual[i]) / denominator;
  }
  return sum / static_cast<double>(actual.size());
}

double naive_scale(std::span<const double> history, size_t period) {
  require_finite(history, "the history");
  const size_t lag = period >= 1 && history.size() > period ? period : 1;
  if (history.size() <= lag) {
    throw Error(sqlstate::invalid_parameter_value, "the history needs at least 2 values to scale errors");
  }
  double sum = 0;
  for (size_t t = lag; t < history.size(); ++t) {
    sum += std::fabs(history[t] - history[t - lag]);
  }
  return sum / static_cast<double>(history.size() - lag);
}

double mase(std::span<const double> history, size_t period, std::span<const double> actual,
            std::span<const double> predicted) {
  check_same_length(actual, predicted, "MASE");
  require_finite(actual, "MASE actual values");
  require_finite(predicted, "MASE forecast values");
  const double scale = naive_scale(history, period);
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    sum += std::fabs(predicted[i] - actual[i]);
  }
  const double mae = sum / static_cast<double>(actual.size());
  return scale == 0 ? (mae == 0 ? 0 : std::numeric_limits<double>::infinity()) : mae / scale;
}

double msis(std::span<const double> history, size_t period, std::span<const double> actual,
            std::span<const double> lower, std::span<const double> upper, double alpha) {
  check_same_length(actual, lower, "MSIS");
  check_same_length(actual, upper, "MSIS");
  require_finite(actual, "MSIS actual values");
  require_finite(lower, "MSIS lower bounds");
  require_finite(upper, "MSIS upper bounds");
  if (!(alpha > 0 && alpha < 1)) {
    throw Error(sqlstate::invalid_parameter_value, "MSIS: alpha must be between 0 and 1");
  }
  const double scale = naive_scale(history, period);
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    sum += upper[i] - lower[i];
    if (actual[i] < lower[i]) {
      sum += 2 / alpha * (lower[i] - actual[i]);
    } else if (actual[i] > upper[i]) {
      sum += 2 / alpha * (actual[i] - upper[i]);
    }
  }
  const double mean = sum / static_cast<double>(actual.size());
  return scale == 0 ? (mean == 0 ? 0 : std::numeric_limits<double>::infinity()) : mean / scale;
}

double coverage(std::span<const double> actual, std::span<const double> lower,
                std::span<const double> upper) {
  check_same_length(actual, lower, "coverage");
  check_same_length(actual, upper, "coverage");
  size_t inside = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    inside += actual[i] >= lower[i] && actual[i] <= upper[i] ? 1 : 0;
  }
  return static_cast<double>(inside) / static_cast<double>(actual.size());
}

} // namespace autoreport::forecast
