// Locales of human-facing formats: numbers, currencies, percentages, dates and words as a reader in
// each country expects them.
#include "render/locale.hpp"

#include "common/error.hpp"
#include "error_check.hpp"
#include "render/options.hpp"
#include "render_text_support.hpp"

#include <gtest/gtest.h>

namespace autoreport::render {
namespace {

using testing::bool_cell;
using testing::number_cell;
using testing::text_cell;

constexpr std::string_view nbsp = "\u00a0";
constexpr std::string_view nnbsp = "\u202f";

Column number_column(std::string name, Kind kind = Kind::Numeric, std::string type = "numeric",
                     NumberStyle style = NumberStyle::automatic) {
  Column c{std::move(name), kind, std::move(type)};
  c.style = style;
  return c;
}

Column currency_column(std::string code, int decimals = -1, std::string type = "numeric(12,2)") {
  Column c = number_column("amount", Kind::Numeric, std::move(type), NumberStyle::currency);
  c.currency = std::move(code);
  c.decimals = decimals;
  return c;
}

std::string fmt(const Column& column, std::string_view text, std::string_view tag = "en-US") {
  return format_number_text(column, text, find_locale(tag));
}

TEST(RenderLocale, KnowsFifteenLocalesInDocumentedOrder) {
  std::vector<std::string> tags;
  for (const Locale& l : locales()) {
    tags.emplace_back(l.tag);
  }
  EXPECT_EQ(tags,
            (std::vector<std::string>{"en-US", "en-GB", "de-DE", "de-CH", "fr-FR", "es-ES", "it-IT", "nl-NL",
                                      "pt-BR", "pt-PT", "da-DK", "sv-SE", "pl-PL", "ja-JP", "zh-CN"}));
  for (const Locale& l : locales()) {
    EXPECT_NE(l.decimal, l.group) << l.tag; // 1.234 must not read as 1,234 in the same locale
    EXPECT_FALSE(l.total.empty()) << l.tag;
    EXPECT_NE(l.excel_date.find("yyyy"), std::string_view::npos) << l.tag;
  }
}

TEST(RenderLocale, FindsTagsWhateverTheirCaseOrSeparator) {
  EXPECT_EQ(find_locale("de-DE").tag, "de-DE");
  EXPECT_EQ(find_locale("de_DE").tag, "de-DE");
  EXPECT_EQ(find_locale("DE-de").tag, "de-DE");
  EXPECT_EQ(find_locale("pt_br").tag, "pt-BR");
  EXPECT_EQ(find_locale("EN-us").tag, "en-US");
}

TEST(RenderLocale, UnknownTagIs22023ListingTheKnownOnes) {
  for (const char* tag : {"xx-YY", "de", "en", "", "de-AT", "en-US-x-private"}) {
    EXPECT_EQ(test::sqlstate_of([&] { find_locale(tag); }), "22023") << tag;
  }
  try {
    find_locale("de-AT");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "unknown locale \"de-AT\"");
    EXPECT_EQ(e.hint(), "Use one of: en-US, en-GB, de-DE, de-CH, fr-FR, es-ES, it-IT, nl-NL, pt-BR, pt-PT, "
                        "da-DK, sv-SE, pl-PL, ja-JP, zh-CN.");
  }
}

TEST(RenderLocale, ReadsPosixLocaleNames) {
  ASSERT_NE(locale_from_posix("de_DE.UTF-8"), nullptr);
  EXPECT_EQ(locale_from_posix("de_DE.UTF-8")->tag, "de-DE");
  EXPECT_EQ(locale_from_posix("fr_FR.utf8")->tag, "fr-FR");
  EXPECT_EQ(locale_from_posix("sv_SE@euro")->tag, "sv-SE");
  EXPECT_EQ(locale_from_posix("pt_BR.ISO-8859-1@x")->tag, "pt-BR");
  EXPECT_EQ(locale_from_posix("en_GB")->tag, "en-GB");
  EXPECT_EQ(locale_from_posix("C"), nullptr);
  EXPECT_EQ(locale_from_posix("POSIX"), nullptr);
  EXPECT_EQ(locale_from_posix("C.UTF-8"), nullptr);
  EXPECT_EQ(locale_from_posix(""), nullptr);
  EXPECT_EQ(locale_from_posix("de_AT.UTF-8"), nullptr);
}

TEST(RenderLocale, CurrencySymbolsAndDecimals) {
  EXPECT_EQ(currency_symbol("EUR"), "€");
  EXPECT_EQ(currency_symbol("USD"), "$");
  EXPECT_EQ(currency_symbol("GBP"), "£");
  EXPECT_EQ(currency_symbol("JPY"), "¥");
  EXPECT_EQ(currency_symbol("BRL"), "R$");
  EXPECT_EQ(currency_symbol("CHF"), "CHF");
  EXPECT_EQ(currency_symbol("XYZ"), "XYZ"); // no symbol: the code
  EXPECT_EQ(currency_decimals("JPY"), 0);
  EXPECT_EQ(currency_decimals("KRW"), 0);
  EXPECT_EQ(currency_decimals("EUR"), 2);
  EXPECT_EQ(currency_decimals("XYZ"), 2);
}

TEST(RenderLocale, GroupsNumbersWithTheLocalesSeparators) {
  const Column amount = number_column("amount", Kind::Numeric, "numeric(12,2)");
  EXPECT_EQ(fmt(amount, "1234567.5", "en-US"), "1,234,567.50");
  EXPECT_EQ(fmt(amount, "1234567.5", "de-DE"), "1.234.567,50");
  EXPECT_EQ(fmt(amount, "1234567.5", "de-CH"), "1\u2019234\u2019567.50");
  EXPECT_EQ(fmt(amount, "1234567.5", "fr-FR"),
            "1" + std::string(nnbsp) + "234" + std::string(nnbsp) + "567,50");
  EXPECT_EQ(fmt(amount, "1234567.5", "sv-SE"),
            "1" + std::string(nbsp) + "234" + std::string(nbsp) + "567,50");
  EXPECT_EQ(fmt(amount, "-1234.5", "en-US"), "-1,234.50");
  EXPECT_EQ(fmt(amount, "999", "en-US"), "999.00");
}

TEST(RenderLocale, DecimalsComeFromTheColumnThenTheType) {
  EXPECT_EQ(fmt(number_column("x", Kind::Numeric, "numeric"), "1234.5678"), "1,234.5678"); // its own
  EXPECT_EQ(fmt(number_column("x", Kind::Numeric, "numeric(10,0)"), "1234.5"), "1,235");
  EXPECT_EQ(fmt(number_column("x", Kind::Numeric, "money"), "3.5"), "3.50");
  Column three = number_column("x", Kind::Numeric, "numeric(12,2)");
  three.decimals = 3;
  EXPECT_EQ(fmt(three, "1.23456"), "1.235");
  three.decimals = 0;
  EXPECT_EQ(fmt(three, "1234.5"), "1,235");
}

TEST(RenderLocale, RoundingCarriesAndNeverShowsNegativeZero) {
  const Column amount = number_column("amount", Kind::Numeric, "numeric(12,2)");
  EXPECT_EQ(fmt(amount, "9.995"), "10.00");
  EXPECT_EQ(fmt(amount, "999.999"), "1,000.00");
  EXPECT_EQ(fmt(amount, "-0.004"), "0.00");
  EXPECT_EQ(fmt(amount, "-0.004", "de-DE"), "0,00");
  EXPECT_EQ(fmt(currency_column("EUR"), "-0.004"), "€0.00");
  EXPECT_EQ(fmt(currency_column("USD"), "-0.004"), "$0.00");
  Column pct = number_column("share", Kind::Numeric, "numeric", NumberStyle::percent);
  EXPECT_EQ(fmt(pct, "-0.0004"), "0.0%");
}

TEST(RenderLocale, HugeNumericsKeepEveryDigit) {
  const Column amount = number_column("amount", Kind::Numeric, "numeric(40,10)");
  EXPECT_EQ(fmt(amount, "123456789012345678901234567890.0123456789"),
            "123,456,789,012,345,678,901,234,567,890.0123456789");
  EXPECT_EQ(fmt(number_column("n", Kind::Numeric, "numeric"), "-98765432109876543210987654321"),
            "-98,765,432,109,876,543,210,987,654,321");
}

TEST(RenderLocale, FloatsWithExponentsAreWrittenOut) {
  const Column ratio = number_column("ratio", Kind::Float, "double precision");
  EXPECT_EQ(fmt(ratio, "1e+20"), "100,000,000,000,000,000,000");
  EXPECT_EQ(fmt(ratio, "1.5e-07"), "0.00000015");
  EXPECT_EQ(fmt(ratio, "-2.5e+03", "de-DE"), "-2.500");
  EXPECT_EQ(fmt(ratio, "0.25"), "0.25");
}

TEST(RenderLocale, NonFiniteCellsKeepTheirText) {
  const Column ratio = number_column("ratio", Kind::Float, "double precision");
  const Locale& en = find_locale("en-US");
  EXPECT_EQ(format_number(ratio, number_cell("NaN", false), en), "NaN");
  EXPECT_EQ(format_number(ratio, number_cell("Infinity", false), en), "Infinity");
  EXPECT_EQ(format_number(ratio, number_cell("-Infinity", false), en), "-Infinity");
  EXPECT_EQ(format_number_text(currency_column("EUR"), "NaN", en), "NaN");
  EXPECT_EQ(format_number_text(currency_column("EUR"), "not a number", en), "not a number");
  EXPECT_EQ(format_number(ratio, number_cell("1234.5"), en), "1,234.5");
}

TEST(RenderLocale, CurrencySymbolGoesWhereTheLocalePutsIt) {
  const Column eur = currency_column("EUR");
  EXPECT_EQ(fmt(eur, "1234.5", "en-US"), "€1,234.50");
  EXPECT_EQ(fmt(eur, "1234.5", "de-DE"), "1.234,50" + std::string(nbsp) + "€");
  EXPECT_EQ(fmt(eur, "1234.5", "fr-FR"), "1" + std::string(nnbsp) + "234,50" + std::string(nbsp) + "€");
  EXPECT_EQ(fmt(currency_column("BRL"), "1234.5", "pt-BR"), "R$" + std::string(nbsp) + "1.234,50");
  EXPECT_EQ(fmt(currency_column("CHF"), "1234.5", "de-CH"), "CHF" + std::string(nbsp) + "1\u2019234.50");
  EXPECT_EQ(fmt(currency_column("XYZ"), "5", "en-US"), "XYZ5.00");
}

TEST(RenderLocale, NegativeCurrencyHasTheSignFirst) {
  EXPECT_EQ(fmt(currency_column("USD"), "-1234.5", "en-US"), "-$1,234.50");
  EXPECT_EQ(fmt(currency_column("EUR"), "-1234.5", "de-DE"), "-1.234,50" + std::string(nbsp) + "€");
  EXPECT_EQ(fmt(currency_column("BRL"), "-0.5", "pt-BR"), "-R$" + std::string(nbsp) + "0,50");
}

TEST(RenderLocale, CurrencyDecimals) {
  EXPECT_EQ(fmt(currency_column("JPY", -1, "numeric"), "1234.5", "ja-JP"), "¥1,235");
  EXPECT_EQ(fmt(currency_column("JPY", -1, "numeric"), "-1234.4", "ja-JP"), "-¥1,234");
  EXPECT_EQ(fmt(currency_column("JPY", -1, "integer"), "1000000", "en-US"), "¥1,000,000");
  EXPECT_EQ(fmt(currency_column("EUR", 0), "1234.5", "en-US"), "€1,235"); // the column's decimals win
  EXPECT_EQ(fmt(currency_column("EUR", 3, "numeric(12,2)"), "1.5", "en-US"), "€1.500");
}

TEST(RenderLocale, PercentIsTheValueTimesAHundred) {
  const Column pct = number_column("share", Kind::Numeric, "numeric", NumberStyle::percent);
  EXPECT_EQ(fmt(pct, "0.125"), "12.5%");
  EXPECT_EQ(fmt(pct, "1"), "100.0%");
  EXPECT_EQ(fmt(pct, "-0.5"), "-50.0%");
  EXPECT_EQ(fmt(pct, "0.12345"), "12.3%");
  EXPECT_EQ(fmt(pct, "12.5"), "1,250.0%");
  EXPECT_EQ(fmt(pct, "0.125", "de-DE"), "12,5" + std::string(nbsp) + "%");
  EXPECT_EQ(fmt(pct, "0.125", "fr-FR"), "12,5" + std::string(nbsp) + "%");
  EXPECT_EQ(fmt(pct, "0.125", "it-IT"), "12,5%");
  const Column ratio = number_column("ratio", Kind::Float, "double precision", NumberStyle::percent);
  EXPECT_EQ(fmt(ratio, "1.5e-07"), "0.0%");
  EXPECT_EQ(fmt(ratio, "0.9999"), "100.0%");
}

TEST(RenderLocale, PercentOfADeclaredScaleKeepsItsPrecision) {
  // numeric(6,4) holds 0.1234: as a percentage 12.34%, two decimals.
  const Column pct = number_column("share", Kind::Numeric, "numeric(6,4)", NumberStyle::percent);
  EXPECT_EQ(fmt(pct, "0.1234"), "12.34%");
  EXPECT_EQ(fmt(pct, "0.0005"), "0.05%");
  EXPECT_EQ(fmt(pct, "1.0000"), "100.00%");
  EXPECT_EQ(fmt(number_column("s", Kind::Numeric, "numeric(5,2)", NumberStyle::percent), "0.25"), "25%");
  EXPECT_EQ(fmt(number_column("s", Kind::Numeric, "numeric(5,1)", NumberStyle::percent), "0.5"), "50%");
  Column chosen = pct;
  chosen.decimals = 0;
  EXPECT_EQ(fmt(chosen, "0.1251"), "13%");
}

TEST(RenderLocale, IdentifierLikeColumnsAreNotGrouped) {
  for (const char* name : {"id", "customer_id", "year", "customerId", "ID", "order_no", "zip"}) {
    EXPECT_EQ(fmt(number_column(name, Kind::Integer, "integer"), "20261234"), "20261234") << name;
  }
  for (const char* name : {"paid", "amount", "valid", "orders"}) {
    EXPECT_EQ(fmt(number_column(name, Kind::Integer, "integer"), "20261234"), "20,261,234") << name;
  }
  // An explicit number format groups even an identifier; text never does.
  EXPECT_EQ(fmt(number_column("id", Kind::Integer, "integer", NumberStyle::number), "1234"), "1,234");
  EXPECT_EQ(fmt(number_column("total", Kind::Numeric, "numeric(12,2)", NumberStyle::text), "1234.5"),
            "1234.5");
}

TEST(RenderLocale, DatesAndTimesInTheLocalesOrder) {
  const Locale& en = find_locale("en-US");
  const Locale& de = find_locale("de-DE");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", en), "01/31/2026");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", de), "31.01.2026");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", find_locale("en-GB")), "31/01/2026");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", find_locale("sv-SE")), "2026-01-31");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", find_locale("nl-NL")), "31-01-2026");
  EXPECT_EQ(format_temporal(Kind::Date, "2026-01-31", find_locale("ja-JP")), "2026/01/31");
  EXPECT_EQ(format_temporal(Kind::Timestamp, "2026-01-31T09:05:07", en), "01/31/2026 09:05:07");
  EXPECT_EQ(format_temporal(Kind::Timestamp, "2026-01-31T09:05:07.123456", de), "31.01.2026 09:05:07");
  EXPECT_EQ(format_temporal(Kind::TimestampTz, "2026-01-31T23:59:59+05:30", de), "31.01.2026 23:59:59");
  // What is not in the expected shape stays as PostgreSQL wrote it.
  for (const char* odd : {"infinity", "-infinity", "2026-01-31 BC", "12026-01-31", "2026-1-31", ""}) {
    EXPECT_EQ(format_temporal(Kind::Date, odd, de), odd);
  }
  EXPECT_EQ(format_temporal(Kind::Timestamp, "2026-01-31", de), "2026-01-31");
  EXPECT_EQ(format_temporal(Kind::Timestamp, "2026-01-31 09:00:00", de), "2026-01-31 09:00:00");
}

TEST(RenderLocale, HumanTextOfEachKind) {
  const Locale& de = find_locale("de-DE");
  EXPECT_EQ(human_text(Column{"ok", Kind::Boolean, "boolean"}, bool_cell(true), de), "Ja");
  EXPECT_EQ(human_text(Column{"ok", Kind::Boolean, "boolean"}, bool_cell(false), de), "Nein");
  EXPECT_EQ(human_text(Column{"ok", Kind::Boolean, "boolean"}, bool_cell(true), find_locale("ja-JP")),
            "はい");
  EXPECT_EQ(human_text(Column{"n", Kind::Integer, "integer"}, number_cell("12345"), de), "12.345");
  EXPECT_EQ(human_text(Column{"x", Kind::Numeric, "numeric(8,2)"}, number_cell("2.5"), de), "2,50");
  EXPECT_EQ(human_text(Column{"f", Kind::Float, "real"}, number_cell("NaN", false), de), "NaN");
  EXPECT_EQ(human_text(Column{"d", Kind::Date, "date"}, text_cell("2026-01-31"), de), "31.01.2026");
  EXPECT_EQ(human_text(Column{"b", Kind::Bytes, "bytea"}, text_cell("foob"), de), "Zm9vYg==");
  EXPECT_EQ(human_text(Column{"t", Kind::Text, "text"}, text_cell("1234.5"), de), "1234.5"); // text as is
  EXPECT_EQ(human_text(Column{"i", Kind::Interval, "interval"}, text_cell("P1D"), de), "P1D");
}

TEST(RenderLocale, LocaleOptionAndFallbacks) {
  EXPECT_EQ(locale_option(Options::parse("{}")), nullptr);
  EXPECT_EQ(locale_option(Options::parse(R"({"locale": "fr_FR"})"))->tag, "fr-FR");
  EXPECT_EQ(test::sqlstate_of([] { locale_option(Options::parse(R"({"locale": "klingon"})")); }), "22023");
  EXPECT_EQ(test::sqlstate_of([] { locale_option(Options::parse(R"({"locale": 7})")); }), "22023");

  TableInfo info;
  EXPECT_EQ(resolve_locale(nullptr, info).tag, "en-US");
  info.locale = "da-DK";
  EXPECT_EQ(resolve_locale(nullptr, info).tag, "da-DK");
  EXPECT_EQ(resolve_locale(&find_locale("it-IT"), info).tag, "it-IT"); // the option wins
  info.locale = "tlh-QO";
  EXPECT_EQ(resolve_locale(nullptr, info).tag, "en-US"); // an unknown default is not an error
}

} // namespace
} // namespace autoreport::render
