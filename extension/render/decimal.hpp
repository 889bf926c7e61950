// Exact decimal numbers as text: what a locale-formatted cell and a totals row need without going through
// double (a numeric(30,10) amount or a bigint id keeps every digit).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autoreport::render {

// A finite decimal: digits × 10^-scale, with a sign. digits has no leading zeros ("" is zero).
struct Decimal {
  bool negative = false;
  std::string digits;
  int scale = 0; // digits after the point; never negative

  // Reads PostgreSQL's output of an integer, numeric or float ("-12.340", "1.5e-07", "1e+20").
  // nullopt for NaN, Infinity and anything that is not a number.
  static std::optional<Decimal> parse(std::string_view text);

  bool is_zero() const noexcept { return digits.empty(); }
  // Rounded to `decimals` digits after the point, half away from zero (as PostgreSQL's round()), or
  // padded with zeros to that many.
  Decimal rounded(int decimals) const;
  // Multiplied by 10^power (a percent shows value × 100: power 2).
  Decimal shifted(int power) const;
  // The sum of this and other, exactly.
  Decimal plus(const Decimal& other) const;
  // The number written with `point` between the whole and the fraction and `group` between each three
  // digits of the whole part (empty: no grouping), e.g. "-1,234.50".
  std::string text(std::string_view point = ".", std::string_view group = "") const;
};

// The exact sum of a column's values, added one by one.
class DecimalSum {
public:
  void add(const Decimal& d) { sum_ = sum_.plus(d); }
  const Decimal& value() const noexcept { return sum_; }

private:
  Decimal sum_;
};

} // namespace autoreport::render
