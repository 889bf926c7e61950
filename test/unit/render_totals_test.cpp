// The totals row: exact sums, averages, minimums, maximums and counts per column, with NULL, NaN and
// infinities handled as PostgreSQL's aggregates would, and shown as the column and locale write numbers.
#include "render/totals.hpp"

#include "render_text_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace autoreport::render {
namespace {

using testing::null_cell;
using testing::number_cell;
using testing::text_cell;

Column with_total(Column c, Total total) {
  c.total = total;
  return c;
}

// Totals of one column over the given cells ("" for NULL).
Totals one_column(const Column& column, const std::vector<std::string>& texts) {
  Totals totals({column});
  for (const std::string& t : texts) {
    const Cell cell = t.empty() ? null_cell() : number_cell(t, t != "NaN" && !t.ends_with("Infinity"));
    totals.add(std::span<const Cell>(&cell, 1));
  }
  return totals;
}

std::optional<std::string> total(const Column& column, Total kind, const std::vector<std::string>& texts) {
  return one_column(with_total(column, kind), texts).value(0);
}

const Column amount{"amount", Kind::Numeric, "numeric(14,2)"};
const Column ratio{"ratio", Kind::Float, "double precision"};

TEST(RenderTotals, SumsAreExact) {
  EXPECT_EQ(total(amount, Total::sum, {"0.10", "0.20", "", "1234.56"}), "1234.86");
  EXPECT_EQ(total(ratio, Total::sum, {"0.1", "0.2"}), "0.3"); // not 0.30000000000000004
  EXPECT_EQ(total(amount, Total::sum, {"123456789012345678901234567890.01", "0.99"}),
            "123456789012345678901234567891.00");
  EXPECT_EQ(total(ratio, Total::sum, {"1e+20", "1.5e-07"}), "100000000000000000000.00000015");
  EXPECT_EQ(total(amount, Total::sum, {"-5.00", "5"}), "0.00");
  EXPECT_EQ(total(amount, Total::sum, {}), "0");
  EXPECT_EQ(total(amount, Total::sum, {"", ""}), "0");
}

TEST(RenderTotals, AverageMinimumMaximumAndCount) {
  EXPECT_EQ(total(amount, Total::avg, {"1", "2", "", "3", "4"}), "2.5"); // NULL is not a value
  EXPECT_EQ(total(amount, Total::avg, {"-1.5"}), "-1.5");
  EXPECT_EQ(total(amount, Total::avg, {}), std::nullopt);
  EXPECT_EQ(total(amount, Total::avg, {""}), std::nullopt);
  EXPECT_EQ(total(amount, Total::min, {"3", "-2.5", "", "10"}), "-2.5");
  EXPECT_EQ(total(amount, Total::max, {"3", "-2.5", "", "10"}), "10");
  EXPECT_EQ(total(amount, Total::max, {"9.99", "10.0", "10.00"}), "10.0"); // the first of equal values
  EXPECT_EQ(total(amount, Total::min, {"-0.001", "0"}), "-0.001");
  EXPECT_EQ(total(amount, Total::max, {"99999999999999999999999999999", "100000000000000000000000000000"}),
            "100000000000000000000000000000");
  EXPECT_EQ(total(amount, Total::min, {}), std::nullopt);
  EXPECT_EQ(total(amount, Total::max, {""}), std::nullopt);
  EXPECT_EQ(total(amount, Total::count, {"1", "", "2", ""}), "2");
  EXPECT_EQ(total(amount, Total::count, {}), "0");
}

TEST(RenderTotals, AveragesShowFifteenSignificantDigits) {
  EXPECT_EQ(total(amount, Total::avg, {"1", "2", "2"}), "1.66666666666667");
  EXPECT_EQ(total(ratio, Total::avg, {"0.1", "0.2"}), "0.15");
  // No binary noise after the digits the values have.
  EXPECT_EQ(total(ratio, Total::avg, {"1234567.891"}), "1234567.891");
  // Beyond the range a fixed notation fits in: still a number.
  const std::optional<std::string> huge = total(ratio, Total::avg, {"1e+300", "3e+300"});
  ASSERT_TRUE(huge);
  EXPECT_EQ(Decimal::parse(*huge).value_or(Decimal{}).text(), "2" + std::string(300, '0'));
  EXPECT_EQ(total(ratio, Total::avg, {"1.5e-20"}), "1.5e-20");
}

TEST(RenderTotals, NanAndInfinities) {
  EXPECT_EQ(total(ratio, Total::sum, {"1", "NaN"}), "NaN");
  EXPECT_EQ(total(ratio, Total::avg, {"1", "NaN"}), "NaN");
  EXPECT_EQ(total(ratio, Total::min, {"1", "NaN"}), std::nullopt);
  EXPECT_EQ(total(ratio, Total::max, {"1", "NaN"}), std::nullopt);
  EXPECT_EQ(total(ratio, Total::count, {"1", "NaN", "Infinity"}), "3");

  EXPECT_EQ(total(ratio, Total::sum, {"1", "Infinity"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::sum, {"1", "-Infinity"}), "-Infinity");
  EXPECT_EQ(total(ratio, Total::sum, {"Infinity", "-Infinity"}), "NaN"); // ∞ - ∞
  EXPECT_EQ(total(ratio, Total::avg, {"Infinity", "2"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::avg, {"Infinity", "-Infinity"}), "NaN");
  EXPECT_EQ(total(ratio, Total::min, {"5", "-Infinity", "Infinity"}), "-Infinity");
  EXPECT_EQ(total(ratio, Total::max, {"5", "-Infinity", "Infinity"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::min, {"5", "Infinity"}), "5");
  EXPECT_EQ(total(ratio, Total::max, {"5", "Infinity"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::max, {"5", "-Infinity"}), "5");
  EXPECT_EQ(total(ratio, Total::min, {"5", "-Infinity"}), "-Infinity");
}

TEST(RenderTotals, OnlyInfiniteValues) {
  EXPECT_EQ(total(ratio, Total::min, {"Infinity"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::max, {"Infinity"}), "Infinity");
  EXPECT_EQ(total(ratio, Total::min, {"-Infinity", ""}), "-Infinity");
  EXPECT_EQ(total(ratio, Total::max, {"-Infinity"}), "-Infinity");
}

TEST(RenderTotals, ColumnsTotalWhatTheirPresentationSays) {
  Column pct{"share", Kind::Numeric, "numeric(6,4)"};
  pct.style = NumberStyle::percent;
  const std::vector<Column> columns = {Column{"region", Kind::Text, "text"},
                                       amount,
                                       Column{"customer_id", Kind::Integer, "bigint"},
                                       pct,
                                       with_total(Column{"note", Kind::Text, "text"}, Total::count),
                                       with_total(Column{"units", Kind::Integer, "integer"}, Total::max)};
  Totals totals(columns);
  EXPECT_EQ(totals.kind(0), Total::none);
  EXPECT_EQ(totals.kind(1), Total::sum);
  EXPECT_EQ(totals.kind(2), Total::none); // identifiers are not added up
  EXPECT_EQ(totals.kind(3), Total::none); // nor percentages
  EXPECT_EQ(totals.kind(4), Total::count);
  EXPECT_EQ(totals.kind(5), Total::max);
  EXPECT_EQ(totals.label_column(), 0u);

  const std::vector<std::vector<Cell>> rows = {
      {text_cell("North"), number_cell("1000.50"), number_cell("17"), number_cell("0.2500"), text_cell("a"),
       number_cell("3")},
      {text_cell("South"), number_cell("234.5"), number_cell("18"), number_cell("0.7500"), null_cell(),
       number_cell("12")},
      {null_cell(), null_cell(), number_cell("19"), null_cell(), text_cell(""), null_cell()},
  };
  for (const auto& row : rows) {
    totals.add(row);
  }
  EXPECT_EQ(totals.value(0), std::nullopt);
  EXPECT_EQ(totals.value(1), "1235.00");
  EXPECT_EQ(totals.value(2), std::nullopt);
  EXPECT_EQ(totals.value(3), std::nullopt);
  EXPECT_EQ(totals.value(4), "2"); // text counted: the empty string is a value, NULL is not
  EXPECT_EQ(totals.value(5), "12");

  EXPECT_EQ(totals.shown(columns, find_locale("en-US")),
            (std::vector<std::string>{"Total", "1,235.00", "", "", "2", "12"}));
  EXPECT_EQ(totals.shown(columns, find_locale("de-DE")),
            (std::vector<std::string>{"Summe", "1.235,00", "", "", "2", "12"}));
}

TEST(RenderTotals, LabelGoesInTheFirstColumnWithoutATotal) {
  const std::vector<Column> columns = {amount, Column{"year", Kind::Integer, "integer"},
                                       Column{"region", Kind::Text, "text"}};
  Totals totals(columns);
  EXPECT_EQ(totals.label_column(), 1u);
  EXPECT_EQ(totals.shown(columns, find_locale("it-IT")), (std::vector<std::string>{"0,00", "Totale", ""}));

  // Every column has a total: no label.
  const std::vector<Column> all = {amount, with_total(Column{"region", Kind::Text, "text"}, Total::count)};
  Totals no_label(all);
  EXPECT_EQ(no_label.label_column(), std::nullopt);
  EXPECT_EQ(no_label.shown(all, find_locale("en-US")), (std::vector<std::string>{"0.00", "0"}));
}

TEST(RenderTotals, ShownAsTheColumnFormatsItsNumbers) {
  Column eur = amount;
  eur.style = NumberStyle::currency;
  eur.currency = "EUR";
  Column jpy{"yen", Kind::Numeric, "numeric"};
  jpy.style = NumberStyle::currency;
  jpy.currency = "JPY";
  const std::vector<Column> columns = {Column{"label", Kind::Text, "text"}, eur, jpy,
                                       with_total(Column{"big", Kind::Integer, "bigint"}, Total::count),
                                       with_total(ratio, Total::avg)};
  Totals totals(columns);
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 1500; ++i) {
    rows.push_back({text_cell("x"), number_cell("-0.01"), number_cell("1000.4"), number_cell("1"),
                    number_cell(i % 2 == 0 ? "1e+20" : "1.5e-07")});
  }
  for (const auto& row : rows) {
    totals.add(row);
  }
  EXPECT_EQ(totals.value(1), "-15.00");
  const std::vector<std::string> shown = totals.shown(columns, find_locale("de-DE"));
  EXPECT_EQ(shown[0], "Summe");
  EXPECT_EQ(shown[1], "-15,00\u00a0€");
  EXPECT_EQ(shown[2], "1.500.600\u00a0¥"); // 1,500,600 yen, no decimals
  EXPECT_EQ(shown[3], "1.500");            // a count is a grouped integer whatever the column
  EXPECT_EQ(shown[4], "50.000.000.000.000.000.000");
}

TEST(RenderTotals, CountsOfColumnsWithoutNumbers) {
  const std::vector<Column> columns = {Column{"name", Kind::Text, "text"},
                                       with_total(Column{"day", Kind::Date, "date"}, Total::count),
                                       with_total(Column{"ok", Kind::Boolean, "boolean"}, Total::count)};
  Totals totals(columns);
  const std::vector<std::vector<Cell>> rows = {
      {text_cell("a"), text_cell("2026-01-31"), testing::bool_cell(true)},
      {text_cell("b"), null_cell(), testing::bool_cell(false)}};
  for (const auto& row : rows) {
    totals.add(row);
  }
  EXPECT_EQ(totals.value(1), "1");
  EXPECT_EQ(totals.value(2), "2");
  EXPECT_EQ(totals.shown(columns, find_locale("en-US")), (std::vector<std::string>{"Total", "1", "2"}));
}

TEST(RenderTotals, ShortRowsAndEmptyResults) {
  const std::vector<Column> columns = {Column{"region", Kind::Text, "text"}, amount};
  Totals totals(columns);
  EXPECT_EQ(totals.shown(columns, find_locale("en-US")), (std::vector<std::string>{"Total", "0.00"}));
  const std::vector<Cell> short_row = {text_cell("only one cell")};
  totals.add(short_row);
  EXPECT_EQ(totals.value(1), "0");
}

} // namespace
} // namespace autoreport::render
