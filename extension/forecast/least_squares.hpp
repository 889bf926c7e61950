// The least-squares line through a series against time, shared by Theta's drift and ETS's start.
#pragma once

#include <span>

namespace autoreport::forecast {

struct Line {
  double intercept = 0; // the line's value at t = 0
  double slope = 0;
};

// The least-squares line through (1, v1), ..., (n, vn), computed about the means (no cancellation on
// large values). Needs at least 2 values.
Line least_squares_line(std::span<const double> v);

} // namespace autoreport::forecast
