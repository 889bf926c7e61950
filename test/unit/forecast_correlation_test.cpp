// Lagged products by FFT against the direct sum, and period detection that tests only what the data
// can support, on one autocorrelation, in time that does not grow with the period tried.
#include "common/error.hpp"
#include "common/runtime.hpp"
#include "error_check.hpp"
#include "forecast/auto.hpp"
#include "forecast/correlation.hpp"
#include "forecast/seasonal.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace autoreport::forecast {
namespace {

using test::sqlstate_of;

std::vector<double> noise(size_t n, unsigned seed) {
  std::vector<double> y(n);
  for (double& v : y) {
    seed = seed * 1103515245u + 12345u;
    v = static_cast<double>((seed >> 16) & 0x7fff) / 32767.0 - 0.5;
  }
  return y;
}

TEST(ForecastCorrelation, FftOfAnImpulseIsFlatAndInverts) {
  std::vector<std::complex<double>> a(8);
  a[0] = 1;
  fft(a, false);
  for (const auto& v : a) {
    EXPECT_NEAR(v.real(), 1, 1e-15);
    EXPECT_NEAR(v.imag(), 0, 1e-15);
  }
  std::vector<std::complex<double>> b = {1, 2, 3, 4, 0, -1, 2.5, 7};
  const std::vector<std::complex<double>> original = b;
  fft(b, false);
  // X_1 = sum x_t e^{-2 pi i t / 8}, by hand from the definition.
  std::complex<double> x1 = 0;
  for (size_t t = 0; t < 8; ++t) {
    x1 += original[t] * std::polar(1.0, -2 * std::numbers::pi * static_cast<double>(t) / 8);
  }
  EXPECT_NEAR(b[1].real(), x1.real(), 1e-12);
  EXPECT_NEAR(b[1].imag(), x1.imag(), 1e-12);
  fft(b, true);
  for (size_t t = 0; t < 8; ++t) {
    EXPECT_NEAR(b[t].real() / 8, original[t].real(), 1e-12);
  }
}

TEST(ForecastCorrelation, FftMatchesTheDirectSum) {
  // Short and long series, lags below and past one block, past the series' end, and of 0.
  for (const auto& [n, lag] : std::vector<std::pair<size_t, size_t>>{
           {1, 0}, {2, 5}, {7, 3}, {100, 99}, {1000, 10}, {5000, 600}, {20000, 3000}, {3001, 1500}}) {
    const std::vector<double> x = noise(n, static_cast<unsigned>(n + lag));
    const std::vector<double> direct = lagged_products_direct(x, lag);
    const std::vector<double> fast = lagged_products_fft(x, lag);
    ASSERT_EQ(direct.size(), lag + 1);
    ASSERT_EQ(fast.size(), lag + 1);
    for (size_t k = 0; k <= lag; ++k) {
      EXPECT_NEAR(fast[k], direct[k], 1e-9 * (1 + std::fabs(direct[0]))) << "n " << n << " lag " << k;
    }
    for (size_t k = n; k <= lag; ++k) {
      EXPECT_EQ(direct[k], 0) << "lags past the series are 0";
    }
  }
}

TEST(ForecastCorrelation, AutocorrelationOfALongSeriesIsFastAndRight) {
  // 200,000 values, lags up to 80,000: 1.6e10 products directly, a fraction of a second by FFT.
  const size_t n = 200000, lag = 80000;
  std::vector<double> y = noise(n, 7);
  for (size_t t = 0; t < n; ++t) {
    y[t] += std::sin(2 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(lag));
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<double> r = autocorrelation(y, lag);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  seasonality_test(y, lag); // Theta's test at an explicit period of 80,000
  // Spot checks against the direct sum at a few lags.
  double mean = 0;
  for (const double v : y) {
    mean += v;
  }
  mean /= static_cast<double>(n);
  double denominator = 0;
  for (const double v : y) {
    denominator += (v - mean) * (v - mean);
  }
  for (const size_t k : {size_t{1}, size_t{17}, size_t{40000}, lag}) {
    double sum = 0;
    for (size_t t = 0; t + k < n; ++t) {
      sum += (y[t] - mean) * (y[t + k] - mean);
    }
    EXPECT_NEAR(r[k - 1], sum / denominator, 1e-9) << "lag " << k;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "and the test on it";
}

TEST(ForecastCorrelation, PeriodsTheDataCannotSupportAreNotTried) {
  // A candidate of more than half the series cannot be tested: not seasonal, and not costly. The
  // five-rows-and-one-ten-days-later case: 864,001 seconds, candidates a day and a week.
  std::vector<double> y(864001, 0.0);
  for (size_t t = 0; t < 5; ++t) {
    y[t] = static_cast<double>(t % 3);
  }
  for (size_t t = 5; t < y.size(); ++t) {
    y[t] = 2 + 5.0 * static_cast<double>(t - 4) / static_cast<double>(y.size() - 5);
  }
  const std::array<size_t, 2> candidates{86400, 604800};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(detect_period(y, candidates), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  const std::array<size_t, 1> too_long{500000};
  EXPECT_EQ(detect_period(std::vector<double>(noise(1000, 3)), too_long), 1u);
  EXPECT_FALSE(seasonality_test(noise(100, 4), 50)) << "n <= 2m: no test, no season";
  // A detectable season is still found among candidates.
  std::vector<double> s = noise(700, 5);
  for (size_t t = 0; t < s.size(); ++t) {
    s[t] += 3 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / 7);
  }
  const std::array<size_t, 2> weekly{400, 7};
  EXPECT_EQ(detect_period(s, weekly), 7u) << "400 is untestable on 700 values; 7 passes";
}

TEST(ForecastCorrelation, LongWorkChecksForInterrupts) {
  static int checks = 0;
  checks = 0;
  RuntimeHooks hooks;
  hooks.check_interrupts = [] { ++checks; };
  const RuntimeHooks previous = install_runtime_hooks(hooks);
  lagged_products_fft(noise(100000, 9), 30000);
  install_runtime_hooks(previous);
  EXPECT_GT(checks, 2);
}

TEST(ForecastCorrelation, EtsMethodNamesAreCheckedWhole) {
  const std::vector<double> y = noise(60, 11);
  ForecastOptions o;
  o.horizon = 2;
  o.period = 4;
  for (const char* method : {"ets:", "ets:A", "ets:AAAA", "ets:AAA ", "ets:aaa", "ets:NAA", "ets:ANdN"}) {
    o.method = method;
    EXPECT_EQ(sqlstate_of([&] { forecast_series(y, o); }), "22023") << method;
  }
  try {
    o.method = "ets:";
    forecast_series(y, o);
    FAIL() << "ets: was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("AAdM"), std::string::npos) << e.hint();
  }
  // A seasonal ETS model with a season longer than 24 is refused, not fitted with thousands of
  // parameters.
  o.method = "ets:ANA";
  o.period = 25;
  EXPECT_EQ(sqlstate_of([&] { forecast_series(noise(200, 12), o); }), "22023");
}

} // namespace
} // namespace autoreport::forecast
