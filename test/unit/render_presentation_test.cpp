// Column presentation: humanised headings, define_report's `columns` argument checked as a user writes
// it, and what follows from a column's name and type (scale, identifiers, totals).
#include "render/presentation.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace autoreport::render {
namespace {

std::vector<Column> result_columns() {
  return {Column{"region", Kind::Text, "text"},      Column{"revenue", Kind::Numeric, "numeric(14,2)"},
          Column{"orders", Kind::Integer, "bigint"}, Column{"share", Kind::Float, "double precision"},
          Column{"day", Kind::Date, "date"},         Column{"paid", Kind::Boolean, "boolean"},
          Column{"", Kind::Integer, "integer"}};
}

// The error parse_presentation throws for a `columns` argument (fails the test when none is thrown).
Error presentation_error(std::string_view json_text) {
  try {
    parse_presentation(json_text, result_columns());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << json_text;
  return Error(sqlstate::successful_completion, "");
}

// Checks the SQLSTATE and message of the error for `json_text`.
void expect_error(std::string_view json_text, const std::string& message) {
  const Error e = presentation_error(json_text);
  EXPECT_EQ(e.sqlstate(), "22023") << json_text;
  EXPECT_EQ(e.message(), message) << json_text;
}

TEST(RenderPresentation, HumanisesNames) {
  EXPECT_EQ(humanise("order_count"), "Order count");
  EXPECT_EQ(humanise("customerId"), "Customer ID");
  EXPECT_EQ(humanise("customer_id"), "Customer ID");
  EXPECT_EQ(humanise("userID"), "User ID");
  EXPECT_EQ(humanise("id"), "ID");
  EXPECT_EQ(humanise("orderCount"), "Order count");
  EXPECT_EQ(humanise("total_EUR"), "Total EUR"); // an all-capitals word stays
  EXPECT_EQ(humanise("sku_url"), "SKU URL");
  EXPECT_EQ(humanise("ipAddress"), "IP address");
  EXPECT_EQ(humanise("vat-rate"), "VAT rate");
  EXPECT_EQ(humanise("first name"), "First name");
  EXPECT_EQ(humanise("  padded__name_ "), "Padded name");
  EXPECT_EQ(humanise("schema.table"), "Schema table");
  EXPECT_EQ(humanise("Revenue"), "Revenue");
  EXPECT_EQ(humanise("revenue2026Total"), "Revenue2026 total");
  EXPECT_EQ(humanise("x"), "X");
  EXPECT_EQ(humanise("__"), "__");     // nothing but separators: kept as it is
  EXPECT_EQ(humanise("état"), "état"); // non-ASCII letters are left alone
}

TEST(RenderPresentation, KeepsCapitalisedCodesWithDigits) {
  EXPECT_EQ(humanise("sales_Q1"), "Sales Q1");
  EXPECT_EQ(humanise("revenue_2026"), "Revenue 2026");
  EXPECT_EQ(humanise("ISO8601"), "ISO8601");
}

TEST(RenderPresentation, ColumnLabelPrefersTheGivenLabel) {
  Column c{"order_count", Kind::Integer, "bigint"};
  EXPECT_EQ(column_label(c, 0), "Order count");
  c.label = "Orders (all)";
  EXPECT_EQ(column_label(c, 0), "Orders (all)");
  EXPECT_EQ(column_label(Column{"", Kind::Text, "text"}, 2), "Column 3");
}

TEST(RenderPresentation, ParsesAndNormalisesEachColumn) {
  const auto out = parse_presentation(
      R"({"revenue": {"label": "Revenue", "format": "currency", "currency": "EUR", "decimals": 0, "total": "avg"},
          "share": {"format": "percent", "decimals": 2},
          "region": {"label": "Region", "total": "count", "format": "text"},
          "day": {"total": "none"}, "orders": {}})",
      result_columns());
  ASSERT_EQ(out.size(), 5u);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& [name, text] : out) {
    by_name[name] = nlohmann::json::parse(text);
  }
  EXPECT_EQ(by_name["revenue"], (nlohmann::json{{"label", "Revenue"},
                                                {"format", "currency"},
                                                {"currency", "EUR"},
                                                {"decimals", 0},
                                                {"total", "avg"}}));
  EXPECT_EQ(by_name["share"], (nlohmann::json{{"format", "percent"}, {"decimals", 2}}));
  EXPECT_EQ(by_name["region"], (nlohmann::json{{"label", "Region"}, {"total", "count"}, {"format", "text"}}));
  EXPECT_EQ(by_name["day"], (nlohmann::json{{"total", "none"}}));
  EXPECT_EQ(by_name["orders"], nlohmann::json::object());
  EXPECT_TRUE(parse_presentation("{}", result_columns()).empty());
}

TEST(RenderPresentation, AppliesWhatTheCatalogKeeps) {
  Column c{"revenue", Kind::Numeric, "numeric(14,2)"};
  apply_presentation(
      c, R"({"label":"Revenue","format":"currency","currency":"EUR","decimals":0,"total":"max"})");
  EXPECT_EQ(c.label, "Revenue");
  EXPECT_EQ(c.style, NumberStyle::currency);
  EXPECT_EQ(c.currency, "EUR");
  EXPECT_EQ(c.decimals, 0);
  EXPECT_EQ(c.total, Total::max);

  // Round trip: what parse_presentation keeps, apply_presentation reads.
  Column s{"share", Kind::Float, "double precision"};
  apply_presentation(s,
                     parse_presentation(R"({"share": {"format": "percent"}})", result_columns())[0].second);
  EXPECT_EQ(s.style, NumberStyle::percent);
  EXPECT_EQ(s.decimals, -1);
  EXPECT_EQ(s.total, Total::automatic);
  EXPECT_EQ(s.label, "");

  Column untouched{"x", Kind::Integer, "integer"};
  untouched.label = "kept";
  apply_presentation(untouched, "");
  EXPECT_EQ(untouched.label, "kept");
  apply_presentation(untouched, "not json");
  EXPECT_EQ(untouched.label, "kept");
  apply_presentation(untouched, "{}");
  EXPECT_EQ(untouched.label, "");
  EXPECT_EQ(untouched.style, NumberStyle::automatic);
}

TEST(RenderPresentation, RefusesWhatIsNotAnObjectOfColumns) {
  const std::string message = "columns must be a JSON object of column name to presentation";
  for (const char* text : {"", "[]", "\"revenue\"", "42", "null", "{", "{\"revenue\": }"}) {
    expect_error(text, message);
  }
  EXPECT_EQ(presentation_error("[]").hint(),
            "Write it like '{\"revenue\": {\"label\": \"Revenue\", \"format\": \"currency\", \"currency\": "
            "\"EUR\"}}'.");
}

TEST(RenderPresentation, RefusesAnUnknownColumnListingTheKnownOnes) {
  expect_error(R"({"revenu": {}})", "the report has no column \"revenu\"");
  EXPECT_EQ(presentation_error(R"({"revenu": {}})").hint(),
            "Its columns are: region, revenue, orders, share, day, paid, column_7.");
  expect_error(R"({"Revenue": {}})", "the report has no column \"Revenue\""); // names are exact
}

TEST(RenderPresentation, RefusesAPresentationThatIsNotAnObject) {
  for (const char* text : {R"({"revenue": "currency"})", R"({"revenue": null})", R"({"revenue": []})"}) {
    expect_error(text, "the presentation of column \"revenue\" must be a JSON object");
  }
  EXPECT_EQ(presentation_error(R"({"revenue": 1})").hint(),
            "Write it like {\"label\": \"Revenue\", \"format\": \"currency\", \"currency\": \"EUR\"}.");
}

TEST(RenderPresentation, RefusesABadLabel) {
  const std::string message =
      "the label of column \"revenue\" must be a non-empty string of at most 200 bytes";
  expect_error(R"({"revenue": {"label": ""}})", message);
  expect_error(R"({"revenue": {"label": 5}})", message);
  expect_error(R"({"revenue": {"label": null}})", message);
  expect_error(R"({"revenue": {"label": ")" + std::string(201, 'x') + "\"}}", message);
  EXPECT_NO_THROW(
      parse_presentation(R"({"revenue": {"label": ")" + std::string(200, 'x') + "\"}}", result_columns()));
}

TEST(RenderPresentation, RefusesABadFormat) {
  const std::string message =
      "the format of column \"revenue\" must be \"number\", \"currency\", \"percent\" or \"text\"";
  for (const char* format : {R"("money")", R"("automatic")", R"("")", R"("Currency")", "1", "true"}) {
    expect_error(std::string(R"({"revenue": {"format": )") + format + "}}", message);
  }
}

TEST(RenderPresentation, RefusesABadCurrency) {
  const std::string message =
      "the currency of column \"revenue\" must be an ISO 4217 code of three capital letters, such as \"EUR\"";
  for (const char* code : {R"("eur")", R"("EURO")", R"("EU")", R"("€")", R"("E1R")", "978", "null"}) {
    expect_error(std::string(R"({"revenue": {"format": "currency", "currency": )") + code + "}}", message);
  }
}

TEST(RenderPresentation, RefusesBadDecimals) {
  const std::string message = "the decimals of column \"revenue\" must be an integer from 0 to 10";
  for (const char* decimals : {"-1", "11", "2.5", "2.0", R"("2")", "null", "18446744073709551615"}) {
    expect_error(std::string(R"({"revenue": {"decimals": )") + decimals + "}}", message);
  }
  EXPECT_NO_THROW(parse_presentation(R"({"revenue": {"decimals": 10}})", result_columns()));
  EXPECT_NO_THROW(parse_presentation(R"({"revenue": {"decimals": 0}})", result_columns()));
}

TEST(RenderPresentation, RefusesABadTotal) {
  const std::string message =
      "the total of column \"revenue\" must be \"sum\", \"avg\", \"min\", \"max\", \"count\" or \"none\"";
  for (const char* total : {R"("average")", R"("automatic")", R"("")", R"("SUM")", "true", "null"}) {
    expect_error(std::string(R"({"revenue": {"total": )") + total + "}}", message);
  }
}

TEST(RenderPresentation, RefusesAnUnknownKey) {
  expect_error(R"({"revenue": {"colour": "red"}})",
               "unknown key \"colour\" in the presentation of column \"revenue\"");
  EXPECT_EQ(presentation_error(R"({"revenue": {"Label": "x"}})").hint(),
            "A column's presentation accepts: label, format, currency, decimals, total.");
}

TEST(RenderPresentation, RefusesNumberFormatsOnColumnsWithoutNumbers) {
  expect_error(R"({"region": {"format": "number"}})",
               "column \"region\" holds text, not numbers: it cannot have a number format or decimals");
  expect_error(R"({"region": {"format": "percent"}})",
               "column \"region\" holds text, not numbers: it cannot have a number format or decimals");
  expect_error(R"({"day": {"format": "currency", "currency": "EUR"}})",
               "column \"day\" holds date, not numbers: it cannot have a number format or decimals");
  expect_error(R"({"paid": {"decimals": 2}})",
               "column \"paid\" holds boolean, not numbers: it cannot have a number format or decimals");
  // "text" is fine on any column.
  EXPECT_NO_THROW(
      parse_presentation(R"({"region": {"format": "text"}, "day": {"format": "text"}})", result_columns()));
}

TEST(RenderPresentation, RefusesCurrencyWithoutTheOther) {
  const Error missing = presentation_error(R"({"revenue": {"format": "currency"}})");
  EXPECT_EQ(missing.sqlstate(), "22023");
  EXPECT_EQ(missing.message(), "column \"revenue\" has format \"currency\" but no currency");
  EXPECT_EQ(missing.hint(), "Give both: {\"format\": \"currency\", \"currency\": \"EUR\"}.");
  expect_error(R"({"revenue": {"currency": "EUR"}})",
               "column \"revenue\" has a currency but not format \"currency\"");
  expect_error(R"({"revenue": {"format": "number", "currency": "EUR"}})",
               "column \"revenue\" has a currency but not format \"currency\"");
}

TEST(RenderPresentation, ColumnsWithoutNumbersCanOnlyBeCounted) {
  for (const char* total : {"sum", "avg", "min", "max"}) {
    expect_error(std::string(R"({"region": {"total": ")") + total + "\"}}",
                 "column \"region\" holds text, not numbers: its total can only be \"count\" or \"none\"");
  }
  expect_error(R"({"day": {"total": "max"}})",
               "column \"day\" holds date, not numbers: its total can only be \"count\" or \"none\"");
  EXPECT_NO_THROW(
      parse_presentation(R"({"region": {"total": "count"}, "paid": {"total": "none"}})", result_columns()));
}

TEST(RenderPresentation, DeclaredScaleOfTheType) {
  EXPECT_EQ(declared_scale("numeric(14,2)"), 2);
  EXPECT_EQ(declared_scale("numeric(6,4)"), 4);
  EXPECT_EQ(declared_scale("numeric(10)"), 0);
  EXPECT_EQ(declared_scale("numeric(40,30)"), 30);
  EXPECT_EQ(declared_scale("money"), 2);
  EXPECT_EQ(declared_scale("numeric"), std::nullopt);
  EXPECT_EQ(declared_scale("numeric(5,-2)"), std::nullopt); // PostgreSQL 15 allows a negative scale
  EXPECT_EQ(declared_scale("numeric(1000,500)"), std::nullopt);
  EXPECT_EQ(declared_scale("integer"), std::nullopt);
  EXPECT_EQ(declared_scale("double precision"), std::nullopt);
  EXPECT_EQ(declared_scale(""), std::nullopt);
  EXPECT_EQ(declared_scale("numeric(14,2"), std::nullopt);
}

TEST(RenderPresentation, IdentifierLikeNames) {
  for (const char* name : {"id",          "ID",           "customer_id", "Customer_ID", "year",
                           "fiscal_year", "month",        "day",         "week",        "hour",
                           "quarter",     "code",         "zip",         "product_key", "country_code",
                           "invoice_no",  "order_number", "billing_zip", "customerId",  "customerID"}) {
    EXPECT_TRUE(identifier_like(name)) << name;
  }
  for (const char* name :
       {"paid", "valid", "PAID", "amount", "years", "idle", "ids", "Id_card", "_id", "days", "revenue", ""}) {
    EXPECT_FALSE(identifier_like(name)) << name;
  }
}

TEST(RenderPresentation, EffectiveTotal) {
  const auto total_of = [](const Column& c) { return effective_total(c); };
  EXPECT_EQ(total_of(Column{"revenue", Kind::Numeric, "numeric(14,2)"}), Total::sum);
  EXPECT_EQ(total_of(Column{"orders", Kind::Integer, "bigint"}), Total::sum);
  EXPECT_EQ(total_of(Column{"ratio", Kind::Float, "real"}), Total::sum);
  EXPECT_EQ(total_of(Column{"region", Kind::Text, "text"}), Total::none);
  EXPECT_EQ(total_of(Column{"day", Kind::Date, "date"}), Total::none);
  EXPECT_EQ(total_of(Column{"customer_id", Kind::Integer, "bigint"}), Total::none);
  EXPECT_EQ(total_of(Column{"year", Kind::Integer, "integer"}), Total::none);
  Column c{"share", Kind::Numeric, "numeric(6,4)"};
  c.style = NumberStyle::percent;
  EXPECT_EQ(total_of(c), Total::none); // percentages do not add up
  c.style = NumberStyle::text;
  EXPECT_EQ(total_of(c), Total::none);
  Column id{"id", Kind::Integer, "integer"};
  id.style = NumberStyle::number; // an explicit number format: the user means a quantity
  EXPECT_EQ(total_of(id), Total::sum);
  Column counted{"region", Kind::Text, "text"};
  counted.total = Total::count;
  EXPECT_EQ(total_of(counted), Total::count);
  Column none{"revenue", Kind::Numeric, "numeric"};
  none.total = Total::none;
  EXPECT_EQ(total_of(none), Total::none);
  c.total = Total::avg;
  EXPECT_EQ(total_of(c), Total::avg); // a percent column averaged, when asked
}

} // namespace
} // namespace autoreport::render
