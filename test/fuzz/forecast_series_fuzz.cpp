// Fuzz target for the forecasting pipeline's pure code: rows of (time, value) made from the input are
// stepped (detected or given), bucketed and filled, then forecast by a method from the input and
// screened for anomalies. Any input must end in a result or an autoreport::Error 22023, never a crash,
// another exception, a bucket out of range, or a value that is not finite.
#include "common/error.hpp"
#include "forecast/anomaly.hpp"
#include "forecast/auto.hpp"
#include "forecast/regular.hpp"
#include "fuzz_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace autoreport;
using namespace autoreport::forecast;

namespace {

void check_22023(const Error& e) {
  if (e.sqlstate() != "22023") {
    std::abort();
  }
}

// 2026-01-01 00:00, microseconds since 1970.
constexpr int64_t kBase = 1767225600LL * kMicrosPerSecond;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  autoreport::fuzz::Reader in(data, size);
  // Times in units of a minute, an hour, a day or 30 days from 2026 (within about 60 centuries).
  static constexpr std::array<int64_t, 4> kUnits{60 * kMicrosPerSecond, 3600 * kMicrosPerSecond,
                                                 kMicrosPerDay, 30 * kMicrosPerDay};
  const uint8_t mode = in.byte();
  const int64_t unit = kUnits[mode & 3];
  std::vector<int64_t> times;
  std::vector<std::optional<double>> values;
  while (!in.done() && times.size() < 80) {
    const int32_t offset = static_cast<int32_t>(in.u32()) % 70000;
    times.push_back(kBase + offset * unit);
    const uint8_t v = in.byte();
    values.push_back(v == 255 ? std::nullopt : std::optional<double>((static_cast<double>(v) - 60) * 1.5));
  }
  if (times.empty()) {
    return 0;
  }
  static constexpr std::array<Aggregate, 3> kAggregates{Aggregate::Sum, Aggregate::Mean, Aggregate::Last};
  static constexpr std::array<Fill, 4> kFills{Fill::Linear, Fill::Previous, Fill::Zero, Fill::Error};
  std::vector<int64_t> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  RegularSeries series;
  try {
    Step step;
    if ((mode & 4) != 0) {
      step = detect_step(sorted);
    } else if ((mode & 8) != 0) {
      step = fit_step(Step{1 + (mode >> 4) % 12, 0}, sorted);
    } else {
      step = fit_step(Step{0, kUnits[(mode >> 4) & 3] * (1 + (mode >> 6))}, sorted);
    }
    series = regularise(times, values, step, kAggregates[(mode >> 2) % 3], kFills[(mode >> 5) % 4], 5000);
    if (series.values.size() != series.missing.size() || series.values.empty()) {
      std::abort();
    }
    for (const int64_t t : times) {
      const int64_t b = bucket_of(series.start, series.step, t);
      if (b < 0 || static_cast<size_t>(b) >= series.values.size()) {
        std::abort(); // every row in a bucket of the series
      }
    }
    for (const double v : series.values) {
      if (!std::isfinite(v)) {
        std::abort();
      }
    }
  } catch (const Error& e) {
    check_22023(e);
    return 0;
  }
  if (series.values.size() > 60) {
    series.values.resize(60); // keep each input fast: the models' cost grows with the length
  }
  static const std::array<const char*, 7> kMethods{"auto",   "ets",   "theta",   "damped",
                                                   "snaive", "drift", "ets:MAdM"};
  ForecastOptions o;
  o.method = kMethods[mode % kMethods.size()];
  o.horizon = 1 + mode % 12;
  o.period = (mode >> 3) % 13;
  try {
    const SeriesForecast r = forecast_series(series.values, o);
    for (size_t k = 0; k < o.horizon; ++k) {
      for (size_t i = 0; i < o.levels.size(); ++i) {
        if (!(r.forecast.lower[i][k] <= r.forecast.upper[i][k])) {
          std::abort(); // finite and ordered (forecast_series refuses what is not finite)
        }
      }
    }
  } catch (const Error& e) {
    check_22023(e);
  }
  try {
    for (const AnomalyPoint& p : detect_anomalies(series.values, o.period)) {
      if (!std::isfinite(p.expected) || !std::isfinite(p.score) || !(p.lower <= p.upper) ||
          !(p.probability >= 0 && p.probability <= 1)) {
        std::abort();
      }
    }
    for (const AnomalyPoint& p : detect_anomalies_causal(series.values, o.period)) {
      if (!std::isfinite(p.expected) || !std::isfinite(p.score) ||
          (!std::isnan(p.lower) && !(p.lower <= p.upper))) {
        std::abort();
      }
    }
  } catch (const Error& e) {
    check_22023(e);
  }
  return 0;
}
