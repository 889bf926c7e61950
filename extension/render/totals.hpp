// A totals row (render option "totals"): per column, the sum (exact), average, minimum, maximum or count
// of the rows rendered, as presentation.hpp's effective_total() says.
#pragma once

#include "render/decimal.hpp"
#include "render/locale.hpp"
#include "render/table.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace autoreport::render {

class Totals {
public:
  explicit Totals(const std::vector<Column>& columns);
  // Adds one row.
  void add(std::span<const Cell> cells);
  // The total of column i as a number text ("1234.50", "NaN", "Infinity"), or nothing when the column
  // has none (or no values to total, for avg, min and max).
  std::optional<std::string> value(size_t i) const;
  // What column i totals (Total::none for a column without a total).
  Total kind(size_t i) const { return kinds_[i]; }
  // The column that carries the row's label ("Total"): the first one without a total, if any.
  std::optional<size_t> label_column() const;
  // The row as human formats show it: each total formatted as its column (format_number_text; counts
  // as grouped integers), the locale's word for total in the label column, "" elsewhere.
  std::vector<std::string> shown(const std::vector<render::Column>& columns, const Locale& locale) const;

private:
  struct Column {
    Decimal sum;
    std::optional<Decimal> min, max;
    uint64_t count = 0; // non-NULL values
    bool nan = false, positive_infinity = false, negative_infinity = false;
  };
  std::vector<Total> kinds_;
  std::vector<Column> columns_;
};

} // namespace autoreport::render
