// Long rows (x, series, value) made into one chart series per distinct value of the series column:
// "date, region, revenue" becomes one line per region.
#pragma once

#include "render/chart.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace autoreport::render {

class SeriesSplit {
public:
  // A row of a chart over x (a time in seconds or a number). value: nothing for NULL.
  void add(double x, const std::string& series, std::optional<double> value);
  // A row of a bar chart: the category label. Categories after the first chart_max_categories are
  // counted, not kept.
  void add(const std::string& category, const std::string& series, std::optional<double> value);

  // Sets the chart's x (ascending) or categories (in order of first appearance) and its series: in
  // order of first appearance, or, when there are more than chart_max_series, the ones with the
  // largest total of absolute values, the rest named in left_out. Rows with the same x and series
  // are added up (and counted).
  void fill(ChartData& data) const;

private:
  struct Entry {
    uint32_t x = 0;
    uint32_t series = 0;
    double value = 0;
    bool null = false;
  };
  uint32_t series_index(const std::string& name);
  void keep(uint32_t x, const std::string& series, std::optional<double> value);

  std::map<double, uint32_t> x_index_;
  std::vector<double> xs_; // in order of first appearance
  std::unordered_map<std::string, uint32_t> category_index_;
  std::vector<std::string> categories_;
  std::unordered_set<size_t> more_categories_; // hashes of the categories not kept
  std::unordered_map<std::string, uint32_t> series_index_;
  std::vector<std::string> series_names_;
  std::vector<Entry> entries_;
};

} // namespace autoreport::render
