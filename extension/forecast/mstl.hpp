// MSTL: the decomposition of a series with several seasonal periods (Bandara, Hyndman & Bergmeir
// 2021), as R's forecast::mstl() computes it, and what forecasting with it needs.
//
// y = trend + seasonal_1 + ... + seasonal_k + remainder. The periods are taken shortest first; each
// pass adds one seasonal component back to the deseasonalised series, decomposes that by STL with its
// period (seasonal window 7 + 4 i for the i-th period: 11, 15, 19, ...; R's other defaults, not robust)
// and takes the new seasonal out again. Two passes over all periods (one for a single period, as
// mstl() on a plain ts); the trend is the last STL's.
//
// A forecast continues each seasonal component by its last cycle (seasonal naive) and adds the sum
// to a non-seasonal model's forecast of the seasonally adjusted series, as R's forecast.mstl() does.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::forecast {

// The seasonal strength a period needs to be modelled when the periods are chosen from the data. A
// seasonal estimate of pure noise over k cycles averages about k values per position, so its strength
// is about 1 / k (STL's loess caps k near 7 for long series: 0.1 to 0.2 measured). The bar is twice
// that, and at least 0.3: max(0.3, 2 / k) for k full cycles, clearly above what noise produces and
// well below the 0.64 at which R's nsdiffs() takes a season as strong enough to difference away.
inline constexpr double kMinSeasonalStrength = 0.3;
double required_strength(size_t n, size_t period);

struct MstlResult {
  std::vector<size_t> periods;               // ascending, distinct
  std::vector<std::vector<double>> seasonal; // one component per period
  std::vector<double> trend;
  std::vector<double> remainder;
  std::vector<double> strength; // per period: max(0, 1 - var(remainder) / var(seasonal + remainder))
};

// Decomposes y (finite) by the periods (each at least 2, with more than two full cycles in y: n > 2m;
// sorted and made distinct here). autoreport::Error 22023 otherwise.
MstlResult mstl(std::span<const double> y, std::span<const size_t> periods);

// The seasonally adjusted series: y less every seasonal component.
std::vector<double> seasonally_adjusted(std::span<const double> y, const MstlResult& d);

// The seasonal part of steps 1..horizon after the last value: each component's last cycle repeated.
std::vector<double> seasonal_continuation(const MstlResult& d, size_t horizon);

// The decomposition's own forecast of the seasonally adjusted series: the trend held at its last value
// plus the remainder as an AR(1) process, its last value decaying by phi per step (phi: the remainder's
// lag-1 autocorrelation, the Yule-Walker estimate, within [-0.99, 0.99]). Steps 1..horizon.
struct TrendRemainderForecast {
  std::vector<double> mean;
  double phi = 0;
};
TrendRemainderForecast trend_remainder_forecast(const MstlResult& d, size_t horizon);

// The periods of `candidates` that y supports: at least 2 (the others ignored), more than two full
// cycles in y, and a seasonal strength of at least required_strength() in the MSTL decomposition by
// all candidates that fit. Ascending. The decomposition they were judged on goes to `judged` when
// given (empty periods when no candidate fits).
std::vector<size_t> supported_periods(std::span<const double> y, std::span<const size_t> candidates,
                                      MstlResult* judged = nullptr);

} // namespace autoreport::forecast
