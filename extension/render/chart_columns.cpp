// Which columns an SVG chart draws (see chart_columns.hpp).
#include "render/chart_columns.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"

#include <algorithm>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// A name for a kind in an error detail.
std::string kind_name(const Column& column) {
  return column.type_name.empty() ? std::string(is_numeric(column.kind) ? "numeric" : "non-numeric")
                                  : column.type_name;
}

// "a (date), b (text)": the columns for an error detail.
std::string column_list(const std::vector<Column>& columns) {
  std::string list;
  for (size_t i = 0; i < columns.size(); ++i) {
    list += (i == 0 ? "" : ", ") + display_name(columns[i], i) + " (" + kind_name(columns[i]) + ")";
  }
  return list;
}

// The index of the column an option names; 22023 listing the columns when there is none.
size_t find_column(const std::vector<Column>& columns, const std::string& option, const std::string& name) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) {
      return i;
    }
  }
  throw Error(sqlstate::invalid_parameter_value,
              "option \"" + option + "\" names column \"" + name + "\", which the result does not have")
      .with_detail("The columns are: " + column_list(columns) + ".")
      .with_hint("Column names are case-sensitive, as the query writes them.");
}

[[noreturn]] void bad(const std::string& message, const std::string& detail, const std::string& hint) {
  throw Error(sqlstate::invalid_parameter_value, message).with_detail(detail).with_hint(hint);
}

} // namespace

std::optional<ChartKind> chart_kind(const std::optional<std::string>& word) {
  if (!word) {
    return std::nullopt;
  }
  if (*word == "line") {
    return ChartKind::line;
  }
  if (*word == "bar") {
    return ChartKind::bar;
  }
  if (*word == "stacked") {
    return ChartKind::stacked;
  }
  if (*word == "area") {
    return ChartKind::area;
  }
  throw Error(sqlstate::invalid_parameter_value,
              "option \"kind\" must be \"line\", \"bar\", \"stacked\" or \"area\"")
      .with_detail("It was \"" + *word + "\".");
}

ChartColumns choose_columns(const std::vector<Column>& columns, const ChartRequest& request) {
  ChartColumns c;
  c.x = request.x ? find_column(columns, "x", *request.x) : 0;
  if (request.series) {
    c.series = find_column(columns, "series", *request.series);
    if (*c.series == c.x) {
      bad("option \"series\" names the x column \"" + *request.series + "\"",
          "The series column's values split the rows into series; the x column places them.",
          "Name another column in \"series\", e.g. a category.");
    }
  }
  for (const std::string& name : request.y) {
    const size_t i = find_column(columns, "y", name);
    if (!is_numeric(columns[i].kind)) {
      std::string numeric;
      for (size_t k = 0; k < columns.size(); ++k) {
        if (is_numeric(columns[k].kind)) {
          numeric += (numeric.empty() ? "" : ", ") + display_name(columns[k], k);
        }
      }
      bad("option \"y\" names column \"" + name + "\", which is not numeric",
          "Column " + display_name(columns[i], i) + " is " + kind_name(columns[i]) + ".",
          numeric.empty() ? "The result has no numeric column to plot."
                          : "Numeric columns are: " + numeric + ".");
    }
    if (i == c.x || (c.series && i == *c.series)) {
      bad("option \"y\" names column \"" + name + "\", which is also " + (i == c.x ? "x" : "series"),
          "A column is drawn as one of x, y or series.", "Name another numeric column in \"y\".");
    }
    c.y.push_back(i);
  }
  if (request.series && request.y.size() > 1) {
    bad("option \"series\" cannot be combined with several \"y\" columns",
        "Option \"y\" names " + std::to_string(request.y.size()) + " columns.",
        "Give one \"y\" column to split by \"series\", or leave \"series\" out to draw each \"y\" column as "
        "a "
        "series.");
  }
  if (request.y.empty()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i != c.x && (!c.series || i != *c.series) && is_numeric(columns[i].kind)) {
        c.y.push_back(i);
      }
    }
    if (c.y.empty()) {
      throw Error(sqlstate::invalid_parameter_value,
                  "svg chart needs at least one numeric column after the first")
          .with_detail(columns.empty() ? std::string("The result has no columns.")
                                       : "The columns are: " + column_list(columns) + ".")
          .with_hint(
              "Select the x axis first (a date or timestamp for a line chart, a label for a bar chart), "
              "then one or more numeric columns to plot.");
    }
    if (c.series && c.y.size() > 1) {
      std::string names;
      for (size_t i : c.y) {
        names += (names.empty() ? "" : ", ") + display_name(columns[i], i);
      }
      bad("option \"series\" needs option \"y\" when the result has several numeric columns",
          "The numeric columns are: " + names + ".", "Name the column of values to split in \"y\".");
    }
  }
  c.numeric_total = c.y.size();
  if (c.y.size() > chart_max_series) {
    c.y.resize(chart_max_series);
  }
  const Kind x_kind = columns[c.x].kind;
  c.kind = chart_kind(request.kind).value_or(is_temporal(x_kind) ? ChartKind::line : ChartKind::bar);
  c.over_x = c.kind == ChartKind::line || c.kind == ChartKind::area;
  if (c.over_x && !is_temporal(x_kind) && !is_numeric(x_kind)) {
    bad("option \"kind\" \"" + *request.kind + "\" needs a date, timestamp or numeric x column",
        "Column " + display_name(columns[c.x], c.x) + " is " + kind_name(columns[c.x]) + ".",
        "Use \"kind\": \"bar\" or \"stacked\" for categories, or name a date or number column in \"x\".");
  }
  return c;
}

} // namespace autoreport::render
