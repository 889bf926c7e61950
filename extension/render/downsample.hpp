// Fewer points for a long line without losing its peaks: min/max downsampling.
//
// The points are cut into equal runs ("buckets") of consecutive points, and each bucket keeps only its
// lowest and its highest point, in their order along x. A line of a million points drawn on 800 pixels
// then looks the same (every spike and dip survives, which averaging or taking every n-th point would
// lose), at a fraction of the size.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace autoreport::render {

struct LinePoint {
  double x = 0;
  double y = 0; // NaN: the line breaks here
};

// The points of a line given in x order (y NaN where there is no value), reduced to at most max_points
// points when there are more (max_points >= 2). A bucket that holds a missing value keeps a break
// before and after its points, so gaps stay visible; a bucket with no value at all is one break.
// Without reduction every point is kept and every missing value is a break.
std::vector<LinePoint> downsample_min_max(std::span<const double> xs, std::span<const double> ys,
                                          size_t max_points);

} // namespace autoreport::render
