// Exact decimal arithmetic on digit strings (see decimal.hpp).
#include "render/decimal.hpp"

#include <algorithm>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// Removes leading zeros of the digits (and the sign of zero).
void normalise(Decimal& d) {
  const size_t first = d.digits.find_first_not_of('0');
  d.digits.erase(0, first == std::string::npos ? d.digits.size() : first);
  if (d.digits.empty()) {
    d.negative = false;
  }
}

// The digits of d widened to `scale` fraction digits.
std::string widened(const Decimal& d, int scale) {
  return d.digits + std::string(static_cast<size_t>(scale - d.scale), '0');
}

// -1, 0 or 1 as magnitude a compares with b (both digit strings without leading zeros).
int compare_magnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) {
    return a.size() < b.size() ? -1 : 1;
  }
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::string add_magnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry != 0; ++i) {
    int sum = carry;
    sum += i < a.size() ? a[a.size() - 1 - i] - '0' : 0;
    sum += i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    out.push_back(static_cast<char>('0' + sum % 10));
    carry = sum / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b for magnitudes with a >= b.
std::string subtract_magnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int diff = (a[a.size() - 1 - i] - '0') - borrow - (i < b.size() ? b[b.size() - 1 - i] - '0' : 0);
    borrow = diff < 0 ? 1 : 0;
    out.push_back(static_cast<char>('0' + diff + borrow * 10));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace

std::optional<Decimal> Decimal::parse(std::string_view text) {
  Decimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    d.negative = text[i] == '-';
    ++i;
  }
  bool any_digit = false;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      d.digits.push_back(c);
      d.scale += point ? 1 : 0;
      any_digit = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any_digit) {
    return std::nullopt;
  }
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') {
      return std::nullopt;
    }
    ++i;
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
      negative_exponent = text[i] == '-';
      ++i;
    }
    int exponent = 0;
    bool exponent_digit = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = std::min(exponent * 10 + (text[i] - '0'), 100000);
      exponent_digit = true;
    }
    if (!exponent_digit || i != text.size() || exponent > 400) {
      return std::nullopt; // beyond any double: not a number we write out in full
    }
    d = d.shifted(negative_exponent ? -exponent : exponent);
  }
  normalise(d);
  return d;
}

Decimal Decimal::shifted(int power) const {
  Decimal d = *this;
  if (power >= 0) {
    const int from_scale = std::min(power, d.scale);
    d.scale -= from_scale;
    d.digits += std::string(static_cast<size_t>(power - from_scale), '0');
  } else {
    d.scale += -power;
  }
  normalise(d);
  return d;
}

Decimal Decimal::rounded(int decimals) const {
  Decimal d = *this;
  decimals = std::max(decimals, 0);
  if (d.scale <= decimals) {
    d.digits += std::string(static_cast<size_t>(decimals - d.scale), '0');
    d.scale = decimals;
    normalise(d);
    return d;
  }
  const size_t drop = static_cast<size_t>(d.scale - decimals);
  std::string kept = d.digits.size() > drop ? d.digits.substr(0, d.digits.size() - drop) : "";
  // The first digit dropped; an implicit leading zero when there are fewer digits than that.
  const bool round_up = d.digits.size() >= drop && d.digits[d.digits.size() - drop] >= '5';
  if (round_up) {
    kept = add_magnitudes(kept.empty() ? "0" : kept, "1");
  }
  d.digits = kept;
  d.scale = decimals;
  normalise(d);
  return d;
}

Decimal Decimal::plus(const Decimal& other) const {
  const int scale = std::max(this->scale, other.scale);
  const std::string a = widened(*this, scale);
  const std::string b = widened(other, scale);
  Decimal d;
  d.scale = scale;
  if (negative == other.negative) {
    d.digits = add_magnitudes(a, b);
    d.negative = negative;
  } else {
    std::string ta = a, tb = b;
    ta.erase(0, std::min(ta.find_first_not_of('0'), ta.size()));
    tb.erase(0, std::min(tb.find_first_not_of('0'), tb.size()));
    const int cmp = compare_magnitude(ta, tb);
    if (cmp >= 0) {
      d.digits = subtract_magnitudes(ta, tb);
      d.negative = negative;
    } else {
      d.digits = subtract_magnitudes(tb, ta);
      d.negative = other.negative;
    }
  }
  normalise(d);
  return d;
}

std::string Decimal::text(std::string_view point, std::string_view group) const {
  const size_t scale_digits = static_cast<size_t>(scale);
  std::string all = digits;
  if (all.size() <= scale_digits) {
    all.insert(0, scale_digits + 1 - all.size(), '0');
  }
  const std::string whole = all.substr(0, all.size() - scale_digits);
  std::string out = negative ? "-" : "";
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) {
      out += group;
    }
    out.push_back(whole[i]);
  }
  if (scale_digits > 0) {
    out += point;
    out += all.substr(all.size() - scale_digits);
  }
  return out;
}

} // namespace autoreport::render
