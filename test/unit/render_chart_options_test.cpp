// The SVG chart's options "x", "y", "series", "kind" and "scales", checked by parsing what it writes
// with lxml (test/render/check_svg.py): long rows split into series, stacked bars and areas, a second
// axis and small multiples for series of different scales, tooltips, labels, a band floored at zero,
// and every error (22023) with its message.
#include "render/chart.hpp"
#include "render/svg.hpp"

#include "common/error.hpp"
#include "render_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>

namespace autoreport::render {
namespace {

using nlohmann::json;
using testing::CellStore;
using testing::ScratchDir;

Column col(std::string name, Kind kind) {
  return Column{std::move(name), kind, ""};
}

TableInfo table(std::vector<Column> columns, std::string title = "Sales") {
  TableInfo info;
  info.columns = std::move(columns);
  info.title = std::move(title);
  return info;
}

std::string render(const TableInfo& info, const std::vector<std::vector<Cell>>& rows,
                   const std::string& options = "") {
  StringOutput out;
  auto r = make_svg(Options::parse(options), out);
  r->begin(info);
  for (const auto& row : rows) {
    r->row(row);
  }
  r->end();
  return out.take();
}

json read_back(const std::string& svg) {
  const ScratchDir dir;
  return testing::run_checker("check_svg.py", {dir.write("chart.svg", svg)});
}

bool has(const json& chart, const std::string& key, const std::string& text) {
  return chart[key].get<std::string>().find(text) != std::string::npos;
}

// A date i days after 2026-01-01.
Cell day(CellStore& s, int i) {
  Cell c = s.date(2026, 1, 1);
  c.integer += i;
  return c;
}

// Long rows: day, region, revenue, units, for 30 days and the given regions (region r sells about
// 100 * (r + 1) a day).
std::vector<std::vector<Cell>> long_rows(CellStore& s, const std::vector<std::string>& regions) {
  std::vector<std::vector<Cell>> rows;
  for (int d = 0; d < 30; ++d) {
    for (size_t r = 0; r < regions.size(); ++r) {
      const double v = 100.0 * double(r + 1) + 10 * std::sin(d + double(r));
      rows.push_back({day(s, d), s.text(regions[r]), s.floating(v), s.integer(d)});
    }
  }
  return rows;
}

const TableInfo long_table = table({col("day", Kind::Date), col("region", Kind::Text),
                                    col("revenue", Kind::Float), col("units", Kind::Integer)});

TEST(SvgSplit, LongRowsBecomeOneLinePerSeriesInOrderOfAppearance) {
  CellStore s;
  const json chart = read_back(render(long_table, long_rows(s, {"North", "South", "East"}),
                                      R"({"series": "region", "y": "revenue"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  ASSERT_EQ(chart["series"].size(), 3u);
  for (const json& series : chart["series"]) {
    EXPECT_EQ(series["polylines"], (json{30}));
    EXPECT_EQ(series["tooltips"], 30) << "a tooltip for every point";
  }
  EXPECT_EQ(chart["legend"], (json{"North", "South", "East"}));
  EXPECT_EQ(chart["axis_titles"], (json{"Revenue", "Day"})) << "the value column names the axis";
  EXPECT_EQ(chart["series"][2]["first_tooltip"].get<std::string>().rfind("2026-01-01 \u2014 East: 309.09", 0),
            0u)
      << chart["series"][2]["first_tooltip"];
  EXPECT_TRUE(
      has(chart, "desc", "Line chart of Revenue, one series per Region (North, South and East) by Day"))
      << chart["desc"];
}

TEST(SvgSplit, WithoutYTheOnlyNumericColumnIsSplit) {
  CellStore s;
  const TableInfo info =
      table({col("day", Kind::Date), col("region", Kind::Text), col("revenue", Kind::Float)});
  std::vector<std::vector<Cell>> rows;
  for (const auto& row : long_rows(s, {"a", "b"})) {
    rows.push_back({row[0], row[1], row[2]});
  }
  const json chart = read_back(render(info, rows, R"({"series": "region"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["legend"], (json{"a", "b"}));
}

TEST(SvgSplit, MoreSeriesThanColoursKeepTheLargestAndNameTheRest) {
  CellStore s;
  std::vector<std::string> regions;
  for (int r = 0; r < 10; ++r) {
    regions.push_back("r" + std::to_string(r));
  }
  // r9 sells most, r0 least: the 7 largest by total are r9 down to r3.
  const json chart =
      read_back(render(long_table, long_rows(s, regions), R"({"series": "region", "y": "revenue",
                                      "scales": "shared"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["legend"], (json{"r9", "r8", "r7", "r6", "r5", "r4", "r3"}));
  EXPECT_EQ(chart["notes"], (json{"Showing the 7 largest of 10 series; not drawn: r2, r1, r0."}));
  EXPECT_TRUE(
      has(chart, "desc", "Only the 7 of 10 series with the largest totals are drawn; not drawn: r2, r1, r0."))
      << chart["desc"];
}

TEST(SvgSplit, RepeatedRowsAreAddedUpAndSaid) {
  CellStore s;
  const TableInfo info =
      table({col("shop", Kind::Text), col("product", Kind::Text), col("sold", Kind::Integer)});
  const std::vector<std::vector<Cell>> rows = {{s.text("A"), s.text("tea"), s.integer(2)},
                                               {s.text("A"), s.text("tea"), s.integer(3)},
                                               {s.text("B"), s.text("coffee"), s.integer(4)},
                                               {s.text("A"), s.text("coffee"), s.null()}};
  const json chart = read_back(render(info, rows, R"({"series": "product"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["x_ticks"], (json{"A", "B"}));
  ASSERT_EQ(chart["series"].size(), 2u);
  EXPECT_EQ(chart["series"][0]["bars"].size(), 1u);
  EXPECT_EQ(chart["series"][0]["bars"][0]["title"], "A \u2014 tea: 5");
  EXPECT_EQ(chart["series"][1]["bars"].size(), 1u) << "no bar for NULL";
  EXPECT_EQ(chart["notes"], (json{"1 repeated row added up."}));
  EXPECT_TRUE(has(chart, "desc", "1 row with the same Shop and Product as an earlier row is added to it."));
}

TEST(SvgStacked, PositivesStackUpAndNegativesDownFromZero) {
  CellStore s;
  const TableInfo info = table({col("quarter", Kind::Text), col("a", Kind::Integer), col("b", Kind::Integer),
                                col("c", Kind::Integer)});
  const std::vector<std::vector<Cell>> rows = {{s.text("Q1"), s.integer(3), s.integer(-2), s.integer(4)},
                                               {s.text("Q2"), s.integer(1), s.integer(1), s.integer(-1)}};
  const json chart = read_back(render(info, rows, R"({"kind": "stacked"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  const json& a = chart["series"][0]["bars"][0];
  const json& b = chart["series"][1]["bars"][0];
  const json& c = chart["series"][2]["bars"][0];
  const double unit = a["height"].get<double>() / 3;
  const double zero = a["y"].get<double>() + a["height"].get<double>();
  EXPECT_NEAR(b["y"].get<double>(), zero, 0.05) << "a negative value hangs from zero";
  EXPECT_NEAR(b["height"].get<double>(), 2 * unit, 0.05);
  EXPECT_NEAR(c["y"].get<double>() + c["height"].get<double>(), a["y"].get<double>(), 0.05) << "on top of a";
  EXPECT_NEAR(c["height"].get<double>(), 4 * unit, 0.05);
  EXPECT_EQ(a["x"], c["x"]) << "one stack per category";
  EXPECT_EQ(a["width"], c["width"]);
  // The axis reaches the highest stack (7) and the lowest (-2).
  EXPECT_EQ(chart["y_ticks"].front(), "-2");
  EXPECT_GE(std::stod(chart["y_ticks"].back().get<std::string>()), 7);
  EXPECT_TRUE(has(chart, "desc", "Stacked bar chart of A, B and C by Quarter"));
  EXPECT_TRUE(has(chart, "desc", "positive values upwards from zero, negative values downwards."));
}

TEST(SvgArea, AreasStackOverTimeAndOverNumbers) {
  CellStore s;
  const json chart = read_back(render(long_table, long_rows(s, {"North", "South"}),
                                      R"({"series": "region", "y": "revenue", "kind": "area"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  ASSERT_EQ(chart["series"].size(), 2u);
  EXPECT_EQ(chart["series"][0]["areas"], 1);
  EXPECT_EQ(chart["series"][1]["areas"], 1);
  EXPECT_EQ(chart["series"][1]["tooltips"], 30);
  EXPECT_EQ(chart["y_ticks"].front(), "0") << "areas stand on zero";
  EXPECT_GE(std::stod(chart["y_ticks"].back().get<std::string>()), 300) << "the stack's top";
  EXPECT_TRUE(has(chart, "desc", "Stacked area chart of Revenue, one series per Region"));

  // A numeric x: nice number ticks along x.
  const TableInfo numbers =
      table({col("size", Kind::Integer), col("small", Kind::Float), col("large", Kind::Float)});
  std::vector<std::vector<Cell>> rows;
  for (int x = 0; x <= 100; x += 5) {
    rows.push_back({s.integer(x), s.floating(x / 10.0), s.floating(x % 20 == 0 ? -3 : 5)});
  }
  const json area = read_back(render(numbers, rows, R"({"kind": "area"})"));
  ASSERT_FALSE(area.contains("error")) << area.dump();
  EXPECT_EQ(area["x_ticks"].front(), "0");
  EXPECT_EQ(area["x_ticks"].back(), "100");
  EXPECT_EQ(area["series"][1]["areas"], 2) << "its positive part up, its negative part down";
  EXPECT_EQ(area["series"][1]["first_tooltip"], "0 \u2014 Large: -3");
}

TEST(SvgLine, ALineOverANumericX) {
  CellStore s;
  const TableInfo info = table({col("x", Kind::Float), col("y", Kind::Float)});
  const json chart = read_back(render(
      info, {{s.floating(2.5), s.floating(1)}, {s.floating(0.5), s.floating(2)}}, R"({"kind": "line"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["series"][0]["polylines"], (json{2}));
  EXPECT_EQ(chart["series"][0]["first_tooltip"], "0.5 \u2014 Y: 2") << "sorted by x";
  EXPECT_TRUE(has(chart, "desc", "Line chart of Y by X from 0.5 to 2.5; 2 points.")) << chart["desc"];
}

// Daily revenue (tens of thousands) and orders (about a thousand): more than 10 times apart.
std::vector<std::vector<Cell>> revenue_and_orders(CellStore& s, int extra = 0) {
  std::vector<std::vector<Cell>> rows;
  for (int d = 0; d < 60; ++d) {
    std::vector<Cell> row = {day(s, d), s.floating(40000 + 5000 * std::sin(d / 5.0)),
                             s.integer(1000 + d * 3)};
    if (extra > 0) {
      row.push_back(s.floating(0.5 + 0.1 * std::cos(d / 3.0))); // a rate: far smaller still
    }
    rows.push_back(row);
  }
  return rows;
}

// The clip ids of every chart on a page share one namespace: two charts inlined in one HTML page (a
// dashboard of reports) must not clip the second to the first's plot area.
TEST(SvgScales, ClipIdsDifferBetweenChartsAndStayDeterministic) {
  CellStore s;
  const TableInfo info =
      table({col("day", Kind::Date), col("revenue", Kind::Float), col("orders", Kind::Integer)});
  const auto clip_ids = [](const std::string& svg) {
    std::vector<std::string> ids;
    const std::regex id("<clipPath id=\"([^\"]+)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), id); it != std::sregex_iterator(); ++it) {
      ids.push_back((*it)[1]);
    }
    return ids;
  };
  const std::string a = render(info, revenue_and_orders(s));
  const std::string b = render(info, revenue_and_orders(s), R"({"height": 480})");
  ASSERT_EQ(clip_ids(a).size(), 1U);
  ASSERT_EQ(clip_ids(b).size(), 1U);
  EXPECT_NE(clip_ids(a), clip_ids(b)) << a.substr(0, 400);
  EXPECT_EQ(a, render(info, revenue_and_orders(s))) << "the same chart, the same bytes";
  EXPECT_NE(a.find("clip-path=\"url(#" + clip_ids(a)[0] + ")\""), std::string::npos);
}

TEST(SvgScales, TwoGroupsOfLinesGetASecondAxis) {
  CellStore s;
  const TableInfo info =
      table({col("day", Kind::Date), col("revenue", Kind::Float), col("orders", Kind::Integer)});
  const json chart = read_back(render(info, revenue_and_orders(s)));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["legend"], (json{"Revenue", "Orders (right axis)"}));
  EXPECT_FALSE(chart["right_ticks"].empty());
  EXPECT_EQ(chart["axis_titles"], (json{"Revenue", "Orders", "Day"})) << "each axis named after its series";
  EXPECT_TRUE(chart["series"][0]["dash"].is_null()) << "left: solid";
  EXPECT_EQ(chart["series"][1]["dash"], "6 3") << "right: dashed, as its legend swatch";
  // Orders fill the plot's height on their own axis instead of lying flat at the bottom.
  EXPECT_GE(std::stod(chart["right_ticks"].front().get<std::string>()), 900);
  EXPECT_TRUE(has(chart, "desc",
                  "Orders is read on a second value axis on the right, Revenue on the left, as their values "
                  "differ by more than 10 times."))
      << chart["desc"];
  // Asked for: one axis.
  const json shared = read_back(render(info, revenue_and_orders(s), R"({"scales": "shared"})"));
  EXPECT_TRUE(shared["right_ticks"].empty());
  EXPECT_EQ(shared["legend"], (json{"Revenue", "Orders"}));
}

TEST(SvgScales, MoreGroupsGetSmallMultiples) {
  CellStore s;
  const TableInfo info = table({col("day", Kind::Date), col("revenue", Kind::Float),
                                col("orders", Kind::Integer), col("conversion_rate", Kind::Float)});
  const std::string svg = render(info, revenue_and_orders(s, 1));
  const json chart = read_back(svg);
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["panel_titles"], (json{"Revenue", "Orders", "Conversion rate"}));
  EXPECT_TRUE(chart["legend"].empty()) << "the panels are named instead";
  EXPECT_TRUE(chart["right_ticks"].empty());
  EXPECT_EQ(chart["axis_titles"], (json{"Day"}));
  for (const json& series : chart["series"]) {
    EXPECT_EQ(series["polylines"], (json{60}));
  }
  EXPECT_TRUE(std::regex_search(svg, std::regex("id=\"autoreport-plot-area-[0-9a-f]{16}-3\"")))
      << "a clip per panel";
  EXPECT_TRUE(has(chart, "desc",
                  "Each series is drawn in its own panel with its own value axis (small "
                  "multiples), one above the other, sharing the Day axis, as their values "
                  "differ by more than 10 times."))
      << chart["desc"];
}

TEST(SvgScales, BarsOfDifferentScalesGetSmallMultiplesAndStacksStayShared) {
  CellStore s;
  const TableInfo info =
      table({col("region", Kind::Text), col("revenue", Kind::Float), col("orders", Kind::Integer)});
  const std::vector<std::vector<Cell>> rows = {{s.text("North"), s.floating(50000), s.integer(120)},
                                               {s.text("South"), s.floating(30000), s.integer(80)}};
  const json bars = read_back(render(info, rows));
  ASSERT_FALSE(bars.contains("error")) << bars.dump();
  EXPECT_EQ(bars["panel_titles"], (json{"Revenue", "Orders"})) << "no second axis for bars";
  EXPECT_EQ(bars["x_ticks"], (json{"North", "South"})) << "labels once, under the last panel";
  // The orders bars are about as tall as the revenue bars (on one axis they would be 400 times lower).
  EXPECT_GT(bars["series"][1]["bars"][0]["height"].get<double>(),
            0.5 * bars["series"][0]["bars"][0]["height"].get<double>());

  const json stacked = read_back(render(info, rows, R"({"kind": "stacked"})"));
  EXPECT_TRUE(stacked["panel_titles"].empty()) << "a stack shows parts of a whole";
  EXPECT_EQ(stacked["legend"], (json{"Revenue", "Orders"}));
  const json asked = read_back(render(info, rows, R"({"kind": "stacked", "scales": "multiples"})"));
  EXPECT_EQ(asked["panel_titles"], (json{"Revenue", "Orders"}));
  EXPECT_FALSE(has(asked, "desc", "differ by more than 10 times")) << "asked for, not chosen";
}

TEST(SvgScales, DualAsked) {
  CellStore s;
  const TableInfo info = table({col("day", Kind::Date), col("a", Kind::Float), col("b", Kind::Float)});
  std::vector<std::vector<Cell>> rows;
  for (int d = 0; d < 5; ++d) {
    rows.push_back({day(s, d), s.floating(d), s.floating(2 * d)});
  }
  const json chart = read_back(render(info, rows, R"({"scales": "dual"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["legend"], (json{"A", "B (right axis)"})) << "alike: the last series on the right";
  EXPECT_TRUE(has(chart, "desc", "B is read on a second value axis on the right, A on the left."));
}

TEST(SvgOptions, XYAndLabelsChooseWhatIsDrawn) {
  CellStore s;
  TableInfo info = table({col("order_count", Kind::Integer), col("day", Kind::Date),
                          col("revenue", Kind::Float), col("cost", Kind::Float)},
                         "daily_sales");
  info.columns[2].label = "Revenue (EUR)";
  std::vector<std::vector<Cell>> rows;
  for (int d = 0; d < 3; ++d) {
    rows.push_back({s.integer(d), s.date(2026, 1, 1 + unsigned(d)), s.floating(d + 1), s.floating(1)});
  }
  const json chart = read_back(render(info, rows, R"({"x": "day", "y": ["revenue", "order_count"]})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["title"], "Daily sales") << "the report's name, humanised";
  EXPECT_EQ(chart["legend"], (json{"Revenue (EUR)", "Order count"}));
  EXPECT_EQ(chart["axis_titles"].back(), "Day");
  EXPECT_EQ(chart["series"][0]["polylines"], (json{3}));
  // A one-column y as a string; a date x drawn as bars when asked.
  const json bars = read_back(render(info, rows, R"({"x": "day", "y": "cost", "kind": "bar"})"));
  ASSERT_FALSE(bars.contains("error")) << bars.dump();
  EXPECT_EQ(bars["x_ticks"], (json{"2026-01-01", "2026-01-02", "2026-01-03"}));
  EXPECT_EQ(bars["series"].size(), 1u);
}

// The error an option gives: 22023, its message, and a detail or hint holding `also`.
void expect_error(const TableInfo& info, const std::vector<std::vector<Cell>>& rows,
                  const std::string& options, const std::string& message, const std::string& also = "") {
  try {
    render(info, rows, options);
    ADD_FAILURE() << "no error for " << options;
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023") << options;
    EXPECT_EQ(e.message(), message) << options;
    EXPECT_NE((e.detail() + " " + e.hint()).find(also), std::string::npos)
        << options << ": " << e.detail() << " / " << e.hint();
  }
}

TEST(SvgOptions, EveryMistakeIsSaid) {
  CellStore s;
  const std::vector<std::vector<Cell>> rows = long_rows(s, {"a"});
  const std::string columns = "The columns are: day (non-numeric), region (non-numeric), revenue (numeric), "
                              "units (numeric).";
  expect_error(long_table, rows, R"({"x": "when"})",
               "option \"x\" names column \"when\", which the result does not have", columns);
  expect_error(long_table, rows, R"({"y": ["revenue", "Units"]})",
               "option \"y\" names column \"Units\", which the result does not have", columns);
  expect_error(long_table, rows, R"({"series": "area"})",
               "option \"series\" names column \"area\", which the result does not have", columns);
  expect_error(long_table, rows, R"({"y": "region"})",
               "option \"y\" names column \"region\", which is not numeric",
               "Numeric columns are: revenue, units.");
  expect_error(long_table, rows, R"({"y": "day"})",
               "option \"y\" names column \"day\", which is not numeric");
  expect_error(long_table, rows, R"({"y": []})",
               "option \"y\" must be a string or a non-empty array of strings");
  expect_error(long_table, rows, R"({"y": ["revenue", 2]})",
               "option \"y\" must be a string or a non-empty array of strings");
  expect_error(long_table, rows, R"({"series": "region", "y": ["revenue", "units"]})",
               "option \"series\" cannot be combined with several \"y\" columns", "Give one \"y\" column");
  expect_error(long_table, rows, R"({"series": "region"})",
               "option \"series\" needs option \"y\" when the result has several numeric columns",
               "revenue, units");
  expect_error(long_table, rows, R"({"series": "day"})", "option \"series\" names the x column \"day\"");
  expect_error(long_table, rows, R"({"x": "revenue", "y": "revenue"})",
               "option \"y\" names column \"revenue\", which is also x");
  expect_error(long_table, rows, R"({"series": "region", "y": "region"})",
               "option \"y\" names column \"region\", which is not numeric");
  expect_error(long_table, rows, R"({"kind": "pie"})",
               "option \"kind\" must be \"line\", \"bar\", \"stacked\" or \"area\"", "It was \"pie\".");
  expect_error(long_table, rows, R"({"kind": "area", "x": "region"})",
               "option \"kind\" \"area\" needs a date, timestamp or numeric x column",
               "Column region is non-numeric.");
  expect_error(long_table, rows, R"({"kind": "line", "x": "region"})",
               "option \"kind\" \"line\" needs a date, timestamp or numeric x column");
  expect_error(long_table, rows, R"({"scales": "log"})",
               "option \"scales\" must be \"auto\", \"shared\", \"dual\" or \"multiples\"",
               "It was \"log\".");
  expect_error(long_table, rows, R"({"scales": "dual", "kind": "stacked"})",
               "option \"scales\" \"dual\" is only for line charts", "multiples");
  expect_error(long_table, rows, R"({"scales": "dual", "kind": "bar"})",
               "option \"scales\" \"dual\" is only for line charts");
  // Known only once the rows are in: one series cannot have two axes; bars by default over text.
  expect_error(long_table, rows, R"({"scales": "dual", "y": "revenue"})",
               "option \"scales\" \"dual\" needs at least two series");
  expect_error(long_table, rows, R"({"scales": "dual", "x": "region", "y": "revenue"})",
               "option \"scales\" \"dual\" is only for line charts");
}

TEST(ChartBand, AForecastOfWhatNeverWasNegativeStaysAtOrAboveZero) {
  ChartBand band{"95% interval", 1, {NAN, 5, -3, -8}, {NAN, 6, 4, -1}};
  EXPECT_FALSE(floor_band_at_zero(band, {2, -1, 3})) << "the series was negative once: drawn as given";
  EXPECT_EQ(band.lower[2], -3);
  EXPECT_TRUE(floor_band_at_zero(band, {2, 0, 3, NAN}));
  EXPECT_TRUE(std::isnan(band.lower[0]));
  EXPECT_EQ(band.lower[1], 5);
  EXPECT_EQ(band.lower[2], 0);
  EXPECT_EQ(band.lower[3], 0);
  EXPECT_EQ(band.upper[3], 0) << "a band wholly below zero is a line on it";
  EXPECT_TRUE(band.floored);

  ChartData c;
  c.title = "Forecast";
  c.x_name = "Day";
  c.temporal = true;
  c.dates_only = true;
  c.x = {0, 86400, 172800, 259200};
  c.series = {{"visits", {2, 0, NAN, NAN}}, {"forecast", {NAN, 0, 1, 0.5}}};
  c.bands = {band};
  const std::string svg = chart_svg(c, ChartStyle{});
  EXPECT_NE(
      svg.find("A shaded band shows the 95% interval of forecast. Its lower bound is drawn at 0 where it "
               "fell below, as no observed value is negative."),
      std::string::npos);
}

// Samples of the new shapes, parsed back; test/render/chart_png_test.sh screenshots them too.
TEST(SvgSample, SplitStackedDualAndMultiplesParse) {
  CellStore s;
  std::vector<std::pair<std::string, std::string>> charts;
  charts.emplace_back("split_lines", render(long_table, long_rows(s, {"North", "South", "East", "West"}),
                                            R"({"series": "region", "y": "revenue", "scales": "shared"})"));
  const TableInfo quarters = table({col("quarter", Kind::Text), col("hardware", Kind::Float),
                                    col("software", Kind::Float), col("refunds", Kind::Float)},
                                   "revenue_by_quarter");
  std::vector<std::vector<Cell>> rows;
  for (int q = 0; q < 8; ++q) {
    rows.push_back({s.text("2025 Q" + std::to_string(q % 4 + 1)), s.floating(300 + 40 * q),
                    s.floating(200 + 25 * (q % 3)), s.floating(-40 - 10 * (q % 2))});
  }
  charts.emplace_back("stacked_bars", render(quarters, rows, R"({"kind": "stacked"})"));
  charts.emplace_back("stacked_area", render(long_table, long_rows(s, {"North", "South", "East"}),
                                             R"({"series": "region", "y": "revenue", "kind": "area"})"));
  const TableInfo two =
      table({col("day", Kind::Date), col("revenue", Kind::Float), col("orders", Kind::Integer)},
            "Revenue and orders");
  charts.emplace_back("dual_axis", render(two, revenue_and_orders(s)));
  const TableInfo three = table({col("day", Kind::Date), col("revenue", Kind::Float),
                                 col("orders", Kind::Integer), col("conversion_rate", Kind::Float)},
                                "Shop health");
  charts.emplace_back("multiples", render(three, revenue_and_orders(s, 1), R"({"height": 480})"));

  const char* keep = std::getenv("AUTOREPORT_CHART_DIR");
  for (const auto& [name, svg] : charts) {
    if (keep != nullptr) {
      std::ofstream(std::string(keep) + "/" + name + ".svg") << svg;
    }
    const json chart = read_back(svg);
    EXPECT_FALSE(chart.contains("error")) << name << ": " << chart.dump();
    EXPECT_FALSE(chart["series"].empty()) << name;
    EXPECT_EQ(svg.find("height=\"-"), std::string::npos) << name << ": no negative sizes";
  }
}

} // namespace
} // namespace autoreport::render
