// The least-squares line of a series against time.
#include "forecast/least_squares.hpp"

#include <cstddef>

#include "common/pure.hpp"

namespace autoreport::forecast {

Line least_squares_line(std::span<const double> v) {
  const double n = static_cast<double>(v.size());
  const double mean_t = (n + 1) / 2;
  double mean_y = 0;
  for (const double y : v) {
    mean_y += y;
  }
  mean_y /= n;
  double sty = 0;
  double stt = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double t = static_cast<double>(i + 1) - mean_t;
    sty += t * (v[i] - mean_y);
    stt += t * t;
  }
  Line line;
  line.slope = sty / stt;
  line.intercept = mean_y - line.slope * mean_t;
  return line;
}

} // namespace autoreport::forecast
