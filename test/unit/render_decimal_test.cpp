// Exact decimal text arithmetic: what locale-formatted cells and totals rows show without going through
// double, so a numeric(30,10) amount or a long sum keeps every digit.
#include "render/decimal.hpp"

#include <gtest/gtest.h>

#include <string>

namespace autoreport::render {
namespace {

// The text of a parsed number ("?" when it does not parse).
std::string parsed(std::string_view text, std::string_view point = ".", std::string_view group = "") {
  const std::optional<Decimal> d = Decimal::parse(text);
  return d ? d->text(point, group) : "?";
}

Decimal dec(std::string_view text) {
  const std::optional<Decimal> d = Decimal::parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal{});
}

TEST(RenderDecimal, ParsesPostgresNumberTexts) {
  EXPECT_EQ(parsed("0"), "0");
  EXPECT_EQ(parsed("42"), "42");
  EXPECT_EQ(parsed("-12.340"), "-12.340"); // trailing zeros are the declared scale: kept
  EXPECT_EQ(parsed("+7"), "7");
  EXPECT_EQ(parsed("007.50"), "7.50");
  EXPECT_EQ(parsed(".5"), "0.5");
  EXPECT_EQ(parsed("5."), "5");
  EXPECT_EQ(parsed("-0"), "0"); // no negative zero
  EXPECT_EQ(parsed("-0.000"), "0.000");
  EXPECT_EQ(parsed("-9223372036854775808"), "-9223372036854775808");

  const Decimal d = dec("-0012.3400");
  EXPECT_TRUE(d.negative);
  EXPECT_EQ(d.digits, "123400");
  EXPECT_EQ(d.scale, 4);
  EXPECT_TRUE(dec("0.00").is_zero());
  EXPECT_FALSE(dec("-0.00").negative);
  EXPECT_FALSE(dec("0.01").is_zero());
}

TEST(RenderDecimal, ParsesFloatExponents) {
  EXPECT_EQ(parsed("1e+20"), "100000000000000000000");
  EXPECT_EQ(parsed("1.5e-07"), "0.00000015");
  EXPECT_EQ(parsed("-2.5E3"), "-2500");
  EXPECT_EQ(parsed("1.25e1"), "12.5");
  EXPECT_EQ(parsed("1.50e2"), "150");
  EXPECT_EQ(parsed("3e0"), "3");
  EXPECT_EQ(parsed("1e-3"), "0.001");
  EXPECT_EQ(parsed("1.7976931348623157e+308").size(), 309u); // the largest double, written out in full
  EXPECT_EQ(parsed("5e-324"), "0." + std::string(323, '0') + "5");
}

TEST(RenderDecimal, RefusesWhatIsNotAFiniteNumber) {
  for (const char* text : {"", "-", "+", ".", "NaN", "Infinity", "-Infinity", "abc", "1.2.3", "1,5", " 1",
                           "1 ", "1e", "1e+", "1e5x", "0x10", "1e401", "1e99999999999", "$1.00"}) {
    EXPECT_FALSE(Decimal::parse(text).has_value()) << '"' << text << '"';
  }
}

TEST(RenderDecimal, HugeNumbersStayExact) {
  const std::string big = "123456789012345678901234567890.0123456789";
  EXPECT_EQ(parsed(big), big);
  EXPECT_EQ(parsed(big, ",", "."), "123.456.789.012.345.678.901.234.567.890,0123456789");
  EXPECT_EQ(dec(big).plus(dec("0.0000000001")).text(), "123456789012345678901234567890.0123456790");
  EXPECT_EQ(dec("99999999999999999999999999999999").plus(dec("1")).text(),
            "100000000000000000000000000000000");
}

TEST(RenderDecimal, RoundsHalfAwayFromZero) {
  EXPECT_EQ(dec("1.005").rounded(2).text(), "1.01"); // exact: no binary 1.00499999...
  EXPECT_EQ(dec("1.004").rounded(2).text(), "1.00");
  EXPECT_EQ(dec("-1.005").rounded(2).text(), "-1.01");
  EXPECT_EQ(dec("2.5").rounded(0).text(), "3");
  EXPECT_EQ(dec("-2.5").rounded(0).text(), "-3");
  EXPECT_EQ(dec("0.5").rounded(0).text(), "1");
  EXPECT_EQ(dec("0.05").rounded(1).text(), "0.1");
  EXPECT_EQ(dec("0.005").rounded(1).text(), "0.0");       // the first dropped digit is an implicit zero
  EXPECT_EQ(dec("12.3449").rounded(2).text(), "12.34");   // no double rounding
  EXPECT_EQ(dec("1234.5678").rounded(-1).text(), "1235"); // negative decimals count as none
}

TEST(RenderDecimal, RoundingCarriesThroughEveryDigit) {
  EXPECT_EQ(dec("9.995").rounded(2).text(), "10.00");
  EXPECT_EQ(dec("-9.995").rounded(2).text(), "-10.00");
  EXPECT_EQ(dec("999.96").rounded(1).text(), "1000.0");
  EXPECT_EQ(dec("0.999").rounded(0).text(), "1");
  EXPECT_EQ(dec("99999999999999999999999999999.5").rounded(0).text(), "100000000000000000000000000000");
}

TEST(RenderDecimal, RoundingToZeroHasNoNegativeSign) {
  const Decimal d = dec("-0.004").rounded(2);
  EXPECT_EQ(d.text(), "0.00");
  EXPECT_FALSE(d.negative);
  EXPECT_TRUE(d.is_zero());
  EXPECT_EQ(dec("-0.0000001").rounded(0).text(), "0");
  EXPECT_EQ(dec("-0.4").rounded(0).text(), "0");
  EXPECT_EQ(dec("-0.005").rounded(2).text(), "-0.01");
}

TEST(RenderDecimal, RoundingPadsToTheDecimalsAsked) {
  EXPECT_EQ(dec("3").rounded(2).text(), "3.00");
  EXPECT_EQ(dec("3.1").rounded(3).text(), "3.100");
  EXPECT_EQ(dec("0").rounded(2).text(), "0.00");
  EXPECT_EQ(dec("-1.5").rounded(1).text(), "-1.5");
}

TEST(RenderDecimal, ShiftsByPowersOfTen) {
  EXPECT_EQ(dec("0.125").shifted(2).text(), "12.5");
  EXPECT_EQ(dec("0.1250").shifted(2).text(), "12.50");
  EXPECT_EQ(dec("3").shifted(2).text(), "300");
  EXPECT_EQ(dec("1.5").shifted(3).text(), "1500");
  EXPECT_EQ(dec("12.5").shifted(-2).text(), "0.125");
  EXPECT_EQ(dec("-7").shifted(-3).text(), "-0.007");
  EXPECT_EQ(dec("0").shifted(5).text(), "0");
}

TEST(RenderDecimal, AddsExactlyWithSignsAndScales) {
  EXPECT_EQ(dec("0.1").plus(dec("0.2")).text(), "0.3"); // not 0.30000000000000004
  EXPECT_EQ(dec("1.5").plus(dec("2.25")).text(), "3.75");
  EXPECT_EQ(dec("-1.5").plus(dec("-2.25")).text(), "-3.75");
  EXPECT_EQ(dec("10").plus(dec("-0.01")).text(), "9.99");
  EXPECT_EQ(dec("-10").plus(dec("0.01")).text(), "-9.99");
  EXPECT_EQ(dec("0.01").plus(dec("-10")).text(), "-9.99");
  EXPECT_EQ(dec("999.99").plus(dec("0.01")).text(), "1000.00");
  EXPECT_EQ(dec("1000").plus(dec("-999.999")).text(), "0.001");

  const Decimal zero = dec("5.00").plus(dec("-5"));
  EXPECT_TRUE(zero.is_zero());
  EXPECT_FALSE(zero.negative);
  EXPECT_EQ(zero.text(), "0.00");
  EXPECT_EQ(Decimal{}.plus(dec("-3")).text(), "-3");
  EXPECT_EQ(dec("-3").plus(Decimal{}).text(), "-3");
}

TEST(RenderDecimal, WritesLocaleSeparators) {
  EXPECT_EQ(dec("-1234.50").text(".", ","), "-1,234.50");
  EXPECT_EQ(dec("1234567.891").text(",", "."), "1.234.567,891");
  EXPECT_EQ(dec("123").text(".", ","), "123");
  EXPECT_EQ(dec("1234").text(".", ""), "1234");
  EXPECT_EQ(dec("123456").text(".", ","), "123,456");
  EXPECT_EQ(dec("0.5").text(",", "."), "0,5");
  EXPECT_EQ(dec("1234567").text(".", "\u202f"), "1\u202f234\u202f567"); // multi-byte separators
}

TEST(RenderDecimal, SumsAColumnOneValueAtATime) {
  DecimalSum sum;
  EXPECT_EQ(sum.value().text(), "0");
  for (const char* v : {"0.1", "0.2", "-0.3", "1e+20", "1.5e-07", "123456789012345678901234567890"}) {
    sum.add(dec(v));
  }
  EXPECT_EQ(sum.value().text(), "123456789112345678901234567890.00000015");
}

} // namespace
} // namespace autoreport::render
