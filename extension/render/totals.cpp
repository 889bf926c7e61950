// The totals row (see totals.hpp). Sums are exact (decimal text), so a numeric(14,2) column's total is
// the total PostgreSQL's sum() gives; averages go through double and show 15 significant digits.
#include "render/totals.hpp"

#include "render/presentation.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// -1, 0 or 1 as a compares with b.
int compare(const Decimal& a, const Decimal& b) {
  Decimal negated = b;
  negated.negative = !b.negative && !b.is_zero();
  const Decimal difference = a.plus(negated);
  return difference.is_zero() ? 0 : (difference.negative ? -1 : 1);
}

// v with 15 significant digits, the most a double holds without binary noise ("1.5e-07" for small and
// large values, which Decimal::parse reads). Not fixed notation: 15 digits after the point would show
// noise (1234567.891 as 1234567.891000000061467) and 1e300 would not fit the buffer.
std::string double_text(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 15);
  return std::string(buf, ec == std::errc() ? end : buf);
}

} // namespace

Totals::Totals(const std::vector<render::Column>& columns) : columns_(columns.size()) {
  for (const render::Column& c : columns) {
    kinds_.push_back(effective_total(c));
  }
}

void Totals::add(std::span<const Cell> cells) {
  for (size_t i = 0; i < kinds_.size() && i < cells.size(); ++i) {
    const Cell& cell = cells[i];
    if (kinds_[i] == Total::none || cell.is_null) {
      continue;
    }
    Column& c = columns_[i];
    ++c.count;
    if (kinds_[i] == Total::count) {
      continue;
    }
    const std::optional<Decimal> d = Decimal::parse(cell.text);
    if (!d) {
      c.nan = c.nan || cell.text == "NaN";
      c.positive_infinity = c.positive_infinity || cell.text == "Infinity";
      c.negative_infinity = c.negative_infinity || cell.text == "-Infinity";
      continue;
    }
    c.sum = c.sum.plus(*d);
    if (!c.min || compare(*d, *c.min) < 0) {
      c.min = *d;
    }
    if (!c.max || compare(*d, *c.max) > 0) {
      c.max = *d;
    }
  }
}

std::optional<std::string> Totals::value(size_t i) const {
  const Column& c = columns_[i];
  switch (kinds_[i]) {
  case Total::none:
  case Total::automatic:
    return std::nullopt;
  case Total::count:
    return std::to_string(c.count);
  default:
    break;
  }
  if (c.nan) {
    return kinds_[i] == Total::min || kinds_[i] == Total::max ? std::nullopt
                                                              : std::optional<std::string>("NaN");
  }
  // Infinity - Infinity is NaN for a sum or an average; a minimum or maximum still has an answer.
  const bool both = c.positive_infinity && c.negative_infinity;
  const std::string infinite =
      both ? "NaN" : (c.positive_infinity ? "Infinity" : (c.negative_infinity ? "-Infinity" : ""));
  switch (kinds_[i]) {
  case Total::sum:
    return infinite.empty() ? c.sum.text() : infinite;
  case Total::avg:
    if (c.count == 0) {
      return std::nullopt;
    }
    return infinite.empty()
               ? double_text(std::strtod(c.sum.text().c_str(), nullptr) / static_cast<double>(c.count))
               : infinite;
  // A column of nothing but Infinity has Infinity as its minimum too (and -Infinity as its maximum).
  case Total::min:
    if (c.negative_infinity) {
      return "-Infinity";
    }
    return c.min ? std::optional<std::string>(c.min->text())
                 : (c.positive_infinity ? std::optional<std::string>("Infinity") : std::nullopt);
  case Total::max:
    if (c.positive_infinity) {
      return "Infinity";
    }
    return c.max ? std::optional<std::string>(c.max->text())
                 : (c.negative_infinity ? std::optional<std::string>("-Infinity") : std::nullopt);
  default:
    return std::nullopt;
  }
}

std::optional<size_t> Totals::label_column() const {
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i] == Total::none) {
      return i;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Totals::shown(const std::vector<render::Column>& columns,
                                       const Locale& locale) const {
  std::vector<std::string> out(kinds_.size());
  const std::optional<size_t> label = label_column();
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (const std::optional<std::string> v = value(i)) {
      render::Column shown_as = i < columns.size() ? columns[i] : render::Column{};
      if (kinds_[i] == Total::count) {
        shown_as = render::Column{};
        shown_as.kind = Kind::Integer;
        shown_as.style = NumberStyle::number;
      }
      out[i] = format_number_text(shown_as, *v, locale);
    } else if (label && *label == i) {
      out[i] = std::string(locale.total);
    }
  }
  return out;
}

} // namespace autoreport::render
