// Min/max downsampling of lines.
#include "render/downsample.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/pure.hpp"

namespace autoreport::render {

std::vector<LinePoint> downsample_min_max(std::span<const double> xs, std::span<const double> ys,
                                          size_t max_points) {
  const size_t n = std::min(xs.size(), ys.size());
  constexpr double gap = std::numeric_limits<double>::quiet_NaN();
  std::vector<LinePoint> out;
  if (n <= max_points) {
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      out.push_back({xs[i], ys[i]});
    }
    return out;
  }
  const size_t buckets = std::max<size_t>(1, max_points / 2);
  out.reserve(2 * buckets + 2);
  const auto add_gap = [&] {
    if (!out.empty() && !std::isnan(out.back().y)) {
      out.push_back({out.back().x, gap});
    }
  };
  for (size_t b = 0; b < buckets; ++b) {
    // Bucket bounds, computed in a way that cannot overflow for any realistic n.
    const size_t begin = static_cast<size_t>(static_cast<long double>(b) * n / buckets);
    const size_t end = static_cast<size_t>(static_cast<long double>(b + 1) * n / buckets);
    size_t low = end;
    size_t high = end;
    bool missing = false;
    for (size_t i = begin; i < end; ++i) {
      if (std::isnan(ys[i])) {
        missing = true;
        continue;
      }
      if (low == end || ys[i] < ys[low]) {
        low = i;
      }
      if (high == end || ys[i] > ys[high]) {
        high = i;
      }
    }
    if (missing) {
      add_gap();
    }
    if (low == end) {
      continue; // no value in this bucket: the gap above is all there is
    }
    const size_t first = std::min(low, high);
    const size_t second = std::max(low, high);
    out.push_back({xs[first], ys[first]});
    if (second != first) {
      out.push_back({xs[second], ys[second]});
    }
    if (missing) {
      add_gap();
    }
  }
  return out;
}

} // namespace autoreport::render
