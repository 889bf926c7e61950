// Nice ticks and compact tick labels for value axes.
#include "render/axis.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr double clamp_abs = 1e300;

// 10^k, computed so that negative powers divide by an exact power of ten (0.1 * 3 is not 0.3).
double scaled(double units, int mantissa, int exponent) {
  const double m = units * mantissa;
  return exponent >= 0 ? m * std::pow(10.0, exponent) : m / std::pow(10.0, -exponent);
}

// A number with a fixed count of decimals, or scientific with `decimals` digits after the point.
std::string format(double v, int decimals, bool scientific) {
  char buffer[64];
  const auto style = scientific ? std::chars_format::scientific : std::chars_format::fixed;
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v, style, std::clamp(decimals, 0, 17));
  return result.ec == std::errc() ? std::string(buffer, result.ptr) : std::string("?");
}

// "1.500" -> "1.5", "2.000" -> "2", "1.50e+07" -> "1.5e7", "1.00e-07" -> "1e-7".
std::string tidy(std::string s) {
  std::string exponent;
  if (const size_t e = s.find('e'); e != std::string::npos) {
    exponent = s.substr(e + 1);
    s.resize(e);
    const bool negative = exponent[0] == '-';
    const size_t digits = exponent.find_first_not_of("+-0");
    exponent = "e" + std::string(negative ? "-" : "") +
               (digits == std::string::npos ? std::string("0") : exponent.substr(digits));
  }
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') {
      s.pop_back();
    }
    if (s.back() == '.') {
      s.pop_back();
    }
  }
  if (s == "-0") {
    s = "0";
  }
  return s + exponent;
}

// The ticks for one candidate step, or nothing when they would be too many to be useful.
bool make_ticks(double min, double max, int mantissa, int exponent, NiceTicks& out) {
  const double step = scaled(1, mantissa, exponent);
  if (!std::isfinite(step) || step <= 0) {
    return false;
  }
  const double first = std::floor(min / step);
  const double last = std::ceil(max / step);
  const double count = last - first + 1;
  if (!std::isfinite(count) || count > 50) {
    return false;
  }
  out.step = step;
  out.mantissa = mantissa;
  out.exponent = exponent;
  out.values.clear();
  for (int j = 0; j < static_cast<int>(count); ++j) {
    const double v = scaled(first + j, mantissa, exponent);
    if (out.values.empty() || v > out.values.back()) { // far from 0, a step can vanish in rounding
      out.values.push_back(v);
    }
  }
  if (out.values.size() < 2) {
    return false;
  }
  out.lo = out.values.front();
  out.hi = out.values.back();
  return std::isfinite(out.lo) && std::isfinite(out.hi);
}

} // namespace

NiceTicks nice_ticks(double min, double max, bool include_zero, int max_ticks) {
  max_ticks = std::clamp(max_ticks, 2, 8);
  const int fewest = std::min(5, max_ticks);
  const int ideal = std::min(6, max_ticks);
  min = std::isfinite(min) ? std::clamp(min, -clamp_abs, clamp_abs) : 0;
  max = std::isfinite(max) ? std::clamp(max, -clamp_abs, clamp_abs) : 0;
  if (min > max) {
    std::swap(min, max);
  }
  if (include_zero) {
    min = std::min(min, 0.0);
    max = std::max(max, 0.0);
  }
  if (min == max) { // one value (0 when include_zero): a small range around it
    double pad = std::abs(min) * 0.1;
    if (!(pad >= 1e-300)) { // zero or subnormal: a unit range
      pad = 1;
    }
    min = include_zero ? 0 : min - pad;
    max += pad;
  }
  const double span = max / 2 - min / 2; // halves: no overflow near the double limit
  const double magnitude = std::floor(std::log10(span * 2 / 6));
  const int k = std::isfinite(magnitude) ? static_cast<int>(magnitude) : 0;

  NiceTicks best;
  NiceTicks candidate;
  bool found = false;
  double best_score = 0;
  for (int e = k - 1; e <= k + 1; ++e) {
    for (int m : {1, 2, 5}) {
      if (!make_ticks(min, max, m, e, candidate)) {
        continue;
      }
      const int n = static_cast<int>(candidate.values.size());
      // No more than max_ticks; then 5..max_ticks; then as near to 6 as possible and with little
      // empty range beyond the data; ties go to the larger step.
      const double waste = 1 - (max / 2 - min / 2) / (candidate.hi / 2 - candidate.lo / 2);
      const double score = (n <= max_ticks ? 10000 : 0) + (n >= fewest && n <= max_ticks ? 1000 : 0) -
                           10.0 * std::abs(n - ideal) - 40 * waste;
      if (!found || score >= best_score) {
        best = candidate;
        best_score = score;
        found = true;
      }
    }
  }
  if (!found) { // only at the edges of what a double can count in
    best.lo = min;
    best.hi = max;
    best.step = max - min;
    best.values = {min, max};
  }
  return best;
}

std::string tick_label(double value, const NiceTicks& ticks) {
  if (std::abs(value) < ticks.step * 1e-9) {
    return "0";
  }
  const double largest = std::max(std::abs(ticks.lo), std::abs(ticks.hi));
  if (largest >= 1e15 || ticks.exponent < -6) {
    // Digits after the point: as many as the step needs relative to the value's own magnitude.
    const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
    return tidy(format(value, magnitude - ticks.exponent, true));
  }
  static constexpr struct {
    double size;
    int exponent;
    const char* suffix;
  } units[] = {{1e12, 12, "T"}, {1e9, 9, "B"}, {1e6, 6, "M"}, {1e3, 3, "k"}};
  if (largest >= 1e4) {
    for (const auto& unit : units) {
      if (largest >= unit.size) {
        return tidy(format(value / unit.size, unit.exponent - ticks.exponent, false)) + unit.suffix;
      }
    }
  }
  return tidy(format(value, -ticks.exponent, false));
}

} // namespace autoreport::render
