// Value axes that people read easily: ticks at "nice" numbers (1, 2 or 5 times a power of ten, after
// Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990) and short labels such as 250, 1.5k,
// 20M or 0.05.
#pragma once

#include <string>
#include <vector>

namespace autoreport::render {

struct NiceTicks {
  double lo = 0; // the axis range: the first and last tick
  double hi = 1;
  double step = 1;  // mantissa * 10^exponent
  int mantissa = 1; // 1, 2 or 5
  int exponent = 0;
  std::vector<double> values; // lo, lo + step, ..., hi
};

// Ticks covering [min, max] (and 0 when include_zero): at most max_ticks (2..8) of them, 5 to 8
// whenever 1-2-5 steps and max_ticks allow it. A single value gets a small range around it; non-finite
// bounds are treated as 0 and values beyond ±1e300 are clamped, so the result is always finite and has
// at least two ticks.
NiceTicks nice_ticks(double min, double max, bool include_zero, int max_ticks = 8);

// The label of one tick: plain below 10,000 ("0", "250", "0.05"), with a k, M, B or T suffix above
// ("12k", "1.5M"), in scientific notation beyond 10^15 or below 10^-6 ("2e15", "1.5e-7"); the same
// style for every tick of an axis, and never more decimals than the step needs.
std::string tick_label(double value, const NiceTicks& ticks);

} // namespace autoreport::render
