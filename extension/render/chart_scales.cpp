// Which value axes a chart's series share: one, two (a second axis on the right) or one per series
// (small multiples), so that a series ten times smaller than another is never drawn as a flat line.
// Also the floor of a band at zero.
#include "common/error.hpp"
#include "render/chart.hpp"

#include <algorithm>
#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr double scale_ratio = 10; // beyond this, the smaller series is flattened by the larger

// The largest absolute finite value of each series (0 when it has none).
std::vector<double> magnitudes(const ChartData& data) {
  std::vector<double> out;
  for (const ChartSeries& s : data.series) {
    double m = 0;
    for (double v : s.values) {
      if (std::isfinite(v)) {
        m = std::max(m, std::abs(v));
      }
    }
    out.push_back(m);
  }
  return out;
}

// The series in groups of similar scale, the largest group first: from the largest series down, a
// series joins the current group when the group's largest is at most 10 times its own. Series without
// a value other than 0 flatten nothing and join the first group.
std::vector<std::vector<size_t>> scale_groups(const std::vector<double>& m) {
  std::vector<size_t> order(m.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m[a] > m[b]; });
  std::vector<std::vector<size_t>> groups;
  for (size_t i : order) {
    if (m[i] == 0 && !groups.empty()) {
      groups.front().push_back(i);
    } else if (groups.empty() || m[groups.back().front()] > scale_ratio * m[i]) {
      groups.push_back({i});
    } else {
      groups.back().push_back(i);
    }
  }
  return groups;
}

[[noreturn]] void dual_refused(const std::string& message) {
  throw Error(sqlstate::invalid_parameter_value, message)
      .with_hint("Use \"scales\": \"multiples\" to give each series its own panel and axis, or \"shared\".");
}

} // namespace

void choose_scales(ChartData& data, std::string_view asked) {
  for (ChartSeries& s : data.series) {
    s.right_axis = false;
  }
  data.scales = ChartScales::shared;
  data.scales_differ = false;
  if (asked == "shared" || data.series.empty()) {
    return;
  }
  if (asked == "multiples") {
    data.scales = ChartScales::multiples;
    return;
  }
  const std::vector<std::vector<size_t>> groups = scale_groups(magnitudes(data));
  if (asked == "dual") {
    if (data.kind != ChartKind::line) {
      dual_refused("option \"scales\" \"dual\" is only for line charts");
    }
    if (data.series.size() < 2) {
      dual_refused("option \"scales\" \"dual\" needs at least two series");
    }
    // The largest group on the left, the rest on the right; when all are alike, the last series.
    if (groups.size() >= 2) {
      for (size_t g = 1; g < groups.size(); ++g) {
        for (size_t i : groups[g]) {
          data.series[i].right_axis = true;
        }
      }
    } else {
      data.series.back().right_axis = true;
    }
    data.scales = ChartScales::dual;
    return;
  }
  // auto
  if (groups.size() < 2 || data.kind == ChartKind::stacked || data.kind == ChartKind::area) {
    return;
  }
  data.scales_differ = true;
  if (data.kind == ChartKind::line && groups.size() == 2 && data.bands.empty()) {
    for (size_t i : groups[1]) {
      data.series[i].right_axis = true;
    }
    data.scales = ChartScales::dual;
  } else {
    data.scales = ChartScales::multiples;
  }
}

bool floor_band_at_zero(ChartBand& band, const std::vector<double>& observed) {
  if (std::any_of(observed.begin(), observed.end(), [](double v) { return v < 0; })) {
    return false;
  }
  bool raised = false;
  for (double& v : band.lower) {
    if (v < 0) {
      v = 0;
      raised = true;
    }
  }
  for (double& v : band.upper) {
    v = std::max(v, 0.0); // a band wholly below zero becomes a line on it (NaN stays NaN)
  }
  band.floored = band.floored || raised;
  return raised;
}

} // namespace autoreport::render
