// Long rows made into one series per value of a column (see chart_split.hpp).
#include "render/chart_split.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "common/pure.hpp"

namespace autoreport::render {

uint32_t SeriesSplit::series_index(const std::string& name) {
  const auto [it, added] = series_index_.try_emplace(name, static_cast<uint32_t>(series_names_.size()));
  if (added) {
    series_names_.push_back(name);
  }
  return it->second;
}

void SeriesSplit::keep(uint32_t x, const std::string& series, std::optional<double> value) {
  entries_.push_back({x, series_index(series), value.value_or(0), !value.has_value()});
}

void SeriesSplit::add(double x, const std::string& series, std::optional<double> value) {
  const auto [it, added] = x_index_.try_emplace(x, static_cast<uint32_t>(xs_.size()));
  if (added) {
    xs_.push_back(x);
  }
  keep(it->second, series, value);
}

void SeriesSplit::add(const std::string& category, const std::string& series, std::optional<double> value) {
  const auto it = category_index_.find(category);
  if (it != category_index_.end()) {
    keep(it->second, series, value);
  } else if (categories_.size() < chart_max_categories) {
    category_index_.emplace(category, static_cast<uint32_t>(categories_.size()));
    categories_.push_back(category);
    keep(static_cast<uint32_t>(categories_.size() - 1), series, value);
  } else {
    more_categories_.insert(std::hash<std::string>{}(category));
    series_index(series); // the series exists even if none of its kept rows do
  }
}

void SeriesSplit::fill(ChartData& data) const {
  // Which series are drawn, in which order.
  std::vector<uint32_t> order(series_names_.size());
  std::iota(order.begin(), order.end(), uint32_t{0});
  if (order.size() > chart_max_series) {
    std::vector<double> totals(order.size(), 0.0);
    for (const Entry& e : entries_) {
      if (!e.null && std::isfinite(e.value)) {
        totals[e.series] += std::abs(e.value);
      }
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return totals[a] > totals[b]; });
    for (size_t i = chart_max_series; i < order.size(); ++i) {
      data.left_out.push_back(series_names_[order[i]]);
    }
    order.resize(chart_max_series);
  }
  // The x positions: ascending times or numbers (the map's order), or categories as they came.
  std::vector<uint32_t> position(xs_.size());
  size_t n = categories_.size();
  if (data.temporal || data.numeric_x) {
    data.x.clear();
    for (const auto& [x, index] : x_index_) {
      position[index] = static_cast<uint32_t>(data.x.size());
      data.x.push_back(x);
    }
    n = data.x.size();
  } else {
    data.categories = categories_;
    data.categories_total = categories_.size() + more_categories_.size();
  }
  std::vector<int> slot(series_names_.size(), -1);
  data.series.clear();
  for (uint32_t s : order) {
    slot[s] = static_cast<int>(data.series.size());
    data.series.push_back({series_names_[s], std::vector<double>(n, NAN)});
  }
  for (const Entry& e : entries_) {
    if (slot[e.series] < 0 || e.null) {
      continue;
    }
    if (!std::isfinite(e.value)) {
      ++(std::isnan(e.value) ? data.values_nan : data.values_infinite);
      continue;
    }
    double& v = data.series[static_cast<size_t>(slot[e.series])].values[xs_.empty() ? e.x : position[e.x]];
    if (std::isnan(v)) {
      v = e.value;
    } else {
      v += e.value;
      ++data.rows_added_up;
    }
  }
  data.numeric_columns = data.series.size();
}

} // namespace autoreport::render
