// The SVG chart renderer, checked by parsing what it writes with a real XML parser (lxml, through
// test/render/check_svg.py): accessible name and description, escaping, line charts over time with
// gaps, bar charts over categories, nice ticks, limits and errors.
#include "common/calendar.hpp"
#include "render/chart.hpp"
#include "render/downsample.hpp"
#include "render/svg.hpp"

#include "common/error.hpp"
#include "render_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

namespace autoreport::render {
namespace {

using nlohmann::json;
using testing::CellStore;
using testing::ScratchDir;

Column col(std::string name, Kind kind) {
  return Column{std::move(name), kind, ""};
}

TableInfo table(std::vector<Column> columns, std::string title = "Daily sales",
                std::string description = "Revenue and orders per day.") {
  TableInfo info;
  info.columns = std::move(columns);
  info.title = std::move(title);
  info.description = std::move(description);
  return info;
}

// Renders rows to SVG text.
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

// What lxml sees in the chart.
json read_back(const std::string& svg) {
  const ScratchDir dir;
  return testing::run_checker("check_svg.py", {dir.write("chart.svg", svg)});
}

// Two years of daily revenue and orders with a weekly and a yearly rhythm (as the demo data has), and a
// gap of three days without revenue.
std::vector<std::vector<Cell>> daily_sales(CellStore& s) {
  std::vector<std::vector<Cell>> rows;
  const int64_t first = days_from_civil(2024, 11, 1);
  for (int i = 0; i < 730; ++i) {
    const double t = i;
    const double season = 1 + 0.25 * std::sin(2 * M_PI * (t - 30) / 365.25) + 0.35 * t / 365.25;
    const double week = (i % 7 == 2) ? 0.7 : 1.0;
    const double orders = std::round(1200 * season * week + 80 * std::sin(t * 1.7));
    Cell day = s.date(1970, 1, 1);
    day.integer = first + i;
    day.text = "x";
    const bool outage = i >= 400 && i < 403;
    rows.push_back(
        {day, outage ? s.null() : s.numeric(std::to_string(orders * 41.5)), s.integer(int64_t(orders))});
  }
  return rows;
}

// True when v is 1, 2 or 5 times a power of ten (or 0).
bool nice(double v) {
  if (v == 0) {
    return true;
  }
  const double m = std::abs(v) / std::pow(10, std::floor(std::log10(std::abs(v))));
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

// Seconds since 1970 of a day, hour, minute as a Cell of a timestamp (microseconds).
Cell at(CellStore& s, int64_t year, unsigned month, unsigned day, int hour = 0) {
  return s.timestamp(year, month, day, hour, 0, 0);
}

TEST(SvgChart, LineChartOverDatesIsAccessibleAndNice) {
  CellStore s;
  const TableInfo info = table({col("date", Kind::Date), col("revenue", Kind::Numeric),
                                col("orders", Kind::Integer), col("note", Kind::Text)});
  std::vector<std::vector<Cell>> rows = daily_sales(s);
  for (auto& row : rows) {
    row.push_back(s.text("ignored"));
  }
  // One shared axis, as asked (on its own, the chart gives orders a second axis: see DualAxis...).
  const json chart = read_back(render(info, rows, R"({"scales": "shared"})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  const json& root = chart["root"]["attributes"];
  EXPECT_EQ(chart["root"]["tag"], "{http://www.w3.org/2000/svg}svg");
  EXPECT_EQ(root["width"], "800");
  EXPECT_EQ(root["height"], "400");
  EXPECT_EQ(root["viewBox"], "0 0 800 400");
  EXPECT_EQ(root["role"], "img");
  EXPECT_EQ(chart["labelled_tags"], (json{"title", "desc"}));
  EXPECT_EQ(chart["title"], "Daily sales");
  EXPECT_EQ(chart["desc"],
            "Revenue and orders per day. Line chart of Revenue and Orders by Date from 2024-11-01 to "
            "2026-10-31; 730 points.");
  EXPECT_EQ(chart["heading"], (json{"Daily sales"}));
  EXPECT_EQ(chart["legend"], (json{"Revenue", "Orders"}));
  EXPECT_EQ(chart["axis_titles"], (json{"Date"}));
  // Quarter ticks over two years, labelled as months.
  EXPECT_EQ(chart["x_ticks"],
            (json{"2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10"}));
  EXPECT_EQ(chart["y_ticks"], (json{"0", "20k", "40k", "60k", "80k", "100k"}));
  // Two series (the text column is ignored); the three days without revenue break its line.
  ASSERT_EQ(chart["series"].size(), 2u);
  EXPECT_EQ(chart["series"][0]["polylines"], (json{400, 327}));
  EXPECT_EQ(chart["series"][1]["polylines"], (json{730}));
  EXPECT_NE(chart["series"][0]["colour"], chart["series"][1]["colour"]);
  EXPECT_TRUE(chart["series"][0]["bars"].empty()) << "no bars in a line chart";
  // Every drawn point has a tooltip: an invisible circle titled with its date, series and value.
  EXPECT_EQ(chart["series"][0]["tooltips"], 727);
  EXPECT_EQ(chart["series"][1]["tooltips"], 730);
  EXPECT_EQ(chart["tags"].value("circle", 0), 727 + 730);
  EXPECT_EQ(chart["series"][1]["first_tooltip"], "2024-11-01 \u2014 Orders: 1052");
}

TEST(SvgChart, NullsAndNonFiniteValuesBreakTheLine) {
  CellStore s;
  const TableInfo info = table({col("t", Kind::Timestamp), col("v", Kind::Float)});
  std::vector<std::vector<Cell>> rows;
  const std::vector<double> values = {1, 2, 3, NAN, 5, 6, INFINITY, 8, 9, 10};
  for (size_t i = 0; i < values.size(); ++i) {
    rows.push_back({at(s, 2026, 1, 1, int(i)), i == 4 ? s.null() : s.floating(values[i])});
  }
  // 1 2 3 | NaN | NULL(5) | 6 | inf | 8 9 10: runs of 3, 1 (a dot) and 3.
  const json chart = read_back(render(info, rows));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["series"][0]["polylines"], (json{3, 3}));
  EXPECT_EQ(chart["series"][0]["dots"], 1);
  EXPECT_EQ(chart["legend"].size(), 0u) << "one series: no legend";
  EXPECT_EQ(chart["axis_titles"], (json{"V", "T"})) << "one series: its label on the y axis";
  EXPECT_NE(chart["desc"].get<std::string>().find("from 2026-01-01 00:00 to 2026-01-01 09:00; 10 points."),
            std::string::npos)
      << chart["desc"];
  // What is not drawn is said, under the chart and in <desc>: a NULL is a gap, a NaN or an infinity is
  // a value the chart could not place.
  EXPECT_EQ(chart["notes"], (json{"1 infinite value not drawn. 1 NaN value not drawn."}));
  EXPECT_NE(chart["desc"].get<std::string>().find("1 infinite value not drawn. 1 NaN value not drawn."),
            std::string::npos)
      << chart["desc"];
}

TEST(SvgChart, InfiniteValuesInBarsAreCounted) {
  CellStore s;
  const TableInfo info = table({col("region", Kind::Text), col("v", Kind::Float)});
  const std::vector<std::vector<Cell>> rows = {{s.text("a"), s.floating(1)},
                                               {s.text("b"), s.floating(INFINITY)},
                                               {s.text("c"), s.floating(-INFINITY)}};
  const json chart = read_back(render(info, rows));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["notes"], (json{"2 infinite values not drawn."}));
}

TEST(SvgChart, TimesAreSortedAndRowsWithoutTimeLeftOut) {
  CellStore s;
  const TableInfo info = table({col("at", Kind::TimestampTz), col("v", Kind::Integer)});
  const std::vector<std::vector<Cell>> rows = {{at(s, 2026, 1, 3), s.integer(3)},
                                               {at(s, 2026, 1, 1), s.integer(1)},
                                               {s.null(), s.integer(7)},
                                               {s.infinite(true), s.integer(8)},
                                               {at(s, 2026, 1, 2), s.integer(2)}};
  const std::string svg = render(info, rows);
  const json chart = read_back(svg);
  EXPECT_EQ(chart["series"][0]["polylines"], (json{3}));
  EXPECT_EQ(chart["axis_titles"][1], "At (UTC)");
  EXPECT_EQ(chart["notes"], (json{"2 rows without a time not shown."}));
  EXPECT_NE(
      chart["desc"].get<std::string>().find("from 2026-01-01 00:00 to 2026-01-03 00:00 UTC; 3 points. 2 rows "
                                            "without a time are left out."),
      std::string::npos)
      << chart["desc"];
  // The points go left to right in time order: x grows along the polyline.
  const size_t start = svg.find("points=\"") + 8;
  const std::string points = svg.substr(start, svg.find('"', start) - start);
  double previous = -1;
  for (size_t pos = 0; pos < points.size();) {
    const double x = std::stod(points.substr(pos));
    EXPECT_GT(x, previous);
    previous = x;
    pos = points.find(' ', pos);
    pos = pos == std::string::npos ? points.size() : pos + 1;
  }
}

TEST(SvgChart, BarsForCategoriesFromZero) {
  CellStore s;
  const TableInfo info = table(
      {col("region", Kind::Text), col("revenue", Kind::Numeric), col("cost", Kind::Float)}, "By region");
  const std::vector<std::vector<Cell>> rows = {{s.text("North"), s.numeric("1200"), s.floating(-300)},
                                               {s.text("South"), s.numeric("600"), s.floating(200)},
                                               {s.null(), s.numeric("300"), s.null()}};
  const json chart = read_back(render(info, rows));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["x_ticks"], (json{"North", "South", "(null)"}));
  EXPECT_EQ(chart["tags"].value("polyline", 0), 0);
  ASSERT_EQ(chart["series"].size(), 2u);
  const json& revenue = chart["series"][0]["bars"];
  const json& cost = chart["series"][1]["bars"];
  ASSERT_EQ(revenue.size(), 3u);
  ASSERT_EQ(cost.size(), 2u) << "no bar for NULL";
  // Heights are proportional to the values, all from the same zero line.
  const double unit = revenue[0]["height"].get<double>() / 1200;
  EXPECT_NEAR(revenue[1]["height"].get<double>(), 600 * unit, 0.05);
  EXPECT_NEAR(cost[0]["height"].get<double>(), 300 * unit, 0.05);
  const double zero = revenue[0]["y"].get<double>() + revenue[0]["height"].get<double>();
  EXPECT_NEAR(cost[0]["y"].get<double>(), zero, 0.05) << "a negative bar hangs from the zero line";
  EXPECT_LT(revenue[0]["x"].get<double>(), cost[0]["x"].get<double>()) << "grouped side by side";
  EXPECT_EQ(revenue[0]["title"], "North \u2014 Revenue: 1200");
  // Ticks: nice, covering -300..1200 and including 0.
  std::vector<double> ticks;
  for (const auto& t : chart["y_ticks"]) {
    ticks.push_back(std::stod(t.get<std::string>()));
  }
  EXPECT_GE(ticks.size(), 5u);
  EXPECT_LE(ticks.size(), 8u);
  EXPECT_LE(ticks.front(), -300);
  EXPECT_GE(ticks.back(), 1200);
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 0.0), ticks.end());
  for (size_t i = 1; i < ticks.size(); ++i) {
    EXPECT_TRUE(nice(ticks[i] - ticks[i - 1])) << ticks[i] - ticks[i - 1];
  }
  EXPECT_EQ(chart["desc"],
            "Revenue and orders per day. Bar chart of Revenue and Cost by Region; 3 categories.");
}

TEST(SvgChart, TextFromTheReportStaysText) {
  CellStore s;
  const std::string evil = "<script>alert(\"x\")</script> & 'quotes' ]]>";
  const TableInfo info = table({col("<b>cat</b>", Kind::Text), col("v&\"w\"", Kind::Integer)}, evil, evil);
  const std::vector<std::vector<Cell>> rows = {{s.text(evil), s.integer(1)},
                                               {s.text("ok\x01\xff"), s.integer(2)}};
  const std::string svg = render(info, rows);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  const json chart = read_back(svg);
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["title"], evil);
  EXPECT_EQ(chart["desc"].get<std::string>().substr(0, evil.size()), evil);
  EXPECT_FALSE(chart["tags"].contains("script"));
  EXPECT_FALSE(chart["tags"].contains("b"));
  EXPECT_EQ(chart["axis_titles"], (json{"V&\"w\"", "<b>cat</b>"}));
  EXPECT_EQ(chart["x_ticks"][1], "ok\uFFFD") << "control characters dropped, invalid UTF-8 replaced";
}

TEST(SvgChart, NoNumericColumnIsAnError) {
  StringOutput out;
  for (const auto& columns : {std::vector<Column>{col("day", Kind::Date), col("name", Kind::Text)},
                              std::vector<Column>{col("n", Kind::Integer)}, std::vector<Column>{}}) {
    auto r = make_svg(Options{}, out);
    try {
      r->begin(table(columns));
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.sqlstate(), "22023");
      EXPECT_EQ(e.message(), "svg chart needs at least one numeric column after the first");
      EXPECT_FALSE(e.hint().empty());
      EXPECT_FALSE(e.detail().empty());
    }
  }
}

TEST(SvgChart, NoRowsIsAValidChartSayingSo) {
  for (Kind x : {Kind::Date, Kind::Text}) {
    const json chart = read_back(render(table({col("x", x), col("v", Kind::Integer)}, "Empty"), {}));
    ASSERT_FALSE(chart.contains("error")) << chart.dump();
    EXPECT_EQ(chart["title"], "Empty");
    EXPECT_EQ(chart["no_data"], (json{"No data"}));
    EXPECT_NE(chart["desc"].get<std::string>().find("by X; no data."), std::string::npos) << chart["desc"];
    EXPECT_EQ(chart["series"].size(), 0u);
  }
}

TEST(SvgChart, OneMomentIsADotInTheMiddle) {
  CellStore s;
  const std::string svg = render(table({col("day", Kind::Date), col("v", Kind::Integer)}),
                                 {{s.date(2026, 5, 17), s.integer(42)}});
  const json chart = read_back(svg);
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["series"][0]["dots"], 1);
  EXPECT_EQ(chart["x_ticks"], (json{"2026-05-16", "2026-05-17", "2026-05-18"}));
  EXPECT_NE(chart["desc"].get<std::string>().find("from 2026-05-17 to 2026-05-17; 1 point."),
            std::string::npos);
}

TEST(SvgChart, OnlyTheFirstFiftyCategoriesAndSevenSeries) {
  CellStore s;
  std::vector<Column> columns = {col("k", Kind::Integer)};
  for (int i = 0; i < 9; ++i) {
    columns.push_back(col("s" + std::to_string(i), Kind::Integer));
  }
  std::vector<std::vector<Cell>> rows;
  for (int r = 0; r < 120; ++r) {
    std::vector<Cell> row = {s.integer(r + 1)};
    for (int i = 0; i < 9; ++i) {
      row.push_back(s.integer(r * i));
    }
    rows.push_back(row);
  }
  const json chart = read_back(render(table(columns), rows));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  ASSERT_EQ(chart["series"].size(), 7u);
  EXPECT_EQ(chart["series"][6]["bars"].size(), 50u);
  EXPECT_EQ(chart["notes"],
            (json{"Showing the first 50 of 120 categories. Showing the first 7 of 9 numeric columns."}));
  const std::string desc = chart["desc"];
  EXPECT_NE(
      desc.find("50 categories. Only the first 50 of 120 categories are shown. Only the first 7 of 9 numeric "
                "columns are drawn."),
      std::string::npos)
      << desc;
  std::set<std::string> colours;
  for (const auto& series : chart["series"]) {
    colours.insert(series["colour"].get<std::string>());
  }
  EXPECT_EQ(colours.size(), 7u);
}

TEST(SvgChart, LongLinesAreDownsampledKeepingPeaks) {
  CellStore s;
  const TableInfo info = table({col("t", Kind::Timestamp), col("v", Kind::Float)});
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 100000; ++i) {
    Cell t = s.integer(0);
    t.integer = (1767225600LL + i * 60LL) * 1000000LL; // 2026-01-01, one point a minute
    rows.push_back({t, s.floating(i == 77777 ? 1000 : (i == 33333 ? -1000 : std::sin(i / 500.0)))});
  }
  const json chart = read_back(render(info, rows, R"({"max_points": 500})"));
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  const json& lines = chart["series"][0]["polylines"];
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LE(lines[0].get<int>(), 500);
  EXPECT_GE(lines[0].get<int>(), 400);
  // Both spikes survive: the axis reaches them.
  EXPECT_EQ(chart["y_ticks"].front(), "-1000");
  EXPECT_EQ(chart["y_ticks"].back(), "1000");
  EXPECT_NE(chart["desc"].get<std::string>().find("reduced to at most 500 points"), std::string::npos);
}

TEST(SvgChart, OptionsAreCheckedAndApplied) {
  CellStore s;
  const TableInfo info = table({col("k", Kind::Text), col("v", Kind::Integer)});
  const std::vector<std::vector<Cell>> rows = {{s.text("a"), s.integer(1)}};
  const json chart = read_back(render(info, rows, R"({"width": 300, "height": 200, "title": "Mine"})"));
  EXPECT_EQ(chart["root"]["attributes"]["width"], "300");
  EXPECT_EQ(chart["root"]["attributes"]["viewBox"], "0 0 300 200");
  EXPECT_EQ(chart["title"], "Mine");

  const auto fails = [&](const std::string& options, const std::string& message) {
    StringOutput out;
    try {
      make_svg(Options::parse(options), out);
      ADD_FAILURE() << "no error for " << options;
    } catch (const Error& e) {
      EXPECT_EQ(e.sqlstate(), "22023") << options;
      EXPECT_EQ(e.message(), message) << options;
    }
  };
  fails(R"({"width": 199})", "option \"width\" must be between 200 and 4000");
  fails(R"({"height": 3001})", "option \"height\" must be between 150 and 3000");
  fails(R"({"max_points": 9})", "option \"max_points\" must be between 10 and 100000");
  fails(R"({"title": 1})", "option \"title\" must be a string");
  fails(R"({"colour": "red"})", "unknown option \"colour\" for format svg");
}

TEST(SvgChart, SmallestSizeStillLaysOut) {
  CellStore s;
  std::vector<Column> columns = {col("day", Kind::Date)};
  for (int i = 0; i < 7; ++i) {
    columns.push_back(col("a rather long series name " + std::to_string(i), Kind::Float));
  }
  std::vector<std::vector<Cell>> rows;
  for (int d = 0; d < 3; ++d) {
    std::vector<Cell> row = {s.date(2026, 2, 1 + d)};
    for (int i = 0; i < 7; ++i) {
      row.push_back(s.floating(d * i));
    }
    rows.push_back(row);
  }
  const std::string svg = render(table(columns), rows, R"({"width": 200, "height": 150})");
  const json chart = read_back(svg);
  ASSERT_FALSE(chart.contains("error")) << chart.dump();
  EXPECT_EQ(chart["series"].size(), 7u);
  EXPECT_EQ(svg.find("height=\"-"), std::string::npos) << "no negative sizes";
  EXPECT_EQ(svg.find("width=\"-"), std::string::npos) << "no negative sizes";
}

TEST(SvgDownsample, KeepsMinimumAndMaximumOfEveryBucket) {
  std::vector<double> xs;
  std::vector<double> ys;
  for (int i = 0; i < 1000; ++i) {
    xs.push_back(i);
    ys.push_back(i % 10 == 3 ? 100 + i : (i % 10 == 7 ? -i : 0));
  }
  const std::vector<LinePoint> out = downsample_min_max(xs, ys, 200); // 100 buckets of 10
  ASSERT_EQ(out.size(), 200u);
  for (size_t b = 0; b < 100; ++b) {
    EXPECT_EQ(out[2 * b].x, b * 10 + 3.0);
    EXPECT_EQ(out[2 * b].y, 100 + b * 10 + 3.0);
    EXPECT_EQ(out[2 * b + 1].y, -(b * 10 + 7.0));
  }
}

TEST(SvgDownsample, GapsSurviveAndShortLinesAreKept) {
  const std::vector<double> xs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::vector<double> ys = {1, 2, 3, 4, NAN, NAN, NAN, NAN, 9, 10, 11, 12};
  EXPECT_EQ(downsample_min_max(xs, ys, 100).size(), 12u) << "nothing to reduce";
  const std::vector<LinePoint> out = downsample_min_max(xs, ys, 6); // 3 buckets of 4
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].y, 1);
  EXPECT_EQ(out[1].y, 4);
  EXPECT_TRUE(std::isnan(out[2].y));
  EXPECT_EQ(out[3].y, 9);
  EXPECT_EQ(out[4].y, 12);
}

// Sample charts of every shape, each parsed back; also the input of test/render/chart_png_test.sh,
// which sets AUTOREPORT_CHART_DIR to keep them and screenshots them with Chromium.
size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// 60 days of history, 20 days of forecast with a widening band, spikes marked on days 10 and 40.
ChartData band_and_markers() {
  ChartData c;
  c.title = "Daily revenue and its forecast";
  c.x_name = "day";
  c.temporal = true;
  c.dates_only = true;
  ChartSeries past{"revenue", {}};
  ChartSeries future{"forecast", {}};
  ChartBand band{"95% interval", 1, {}, {}};
  ChartMarkers marks{"anomaly", {}};
  const double day0 = static_cast<double>(days_from_civil(2026, 1, 1)) * 86400;
  for (int d = 0; d < 80; ++d) {
    c.x.push_back(day0 + d * 86400.0);
    const double v = 100 + 10 * std::sin(d * 2 * M_PI / 7) + (d == 10 || d == 40 ? 45 : 0);
    past.values.push_back(d < 60 ? v : NAN);
    future.values.push_back(d >= 59 ? (d == 59 ? v : 100 + 10 * std::sin(d * 2 * M_PI / 7)) : NAN);
    band.lower.push_back(d >= 59 ? future.values.back() - (d - 59) * 0.8 : NAN);
    band.upper.push_back(d >= 59 ? future.values.back() + (d - 59) * 0.8 : NAN);
    marks.values.push_back(d == 10 || d == 40 ? v : NAN);
  }
  c.series = {past, future};
  c.bands = {band};
  c.markers = {marks};
  c.numeric_columns = 2;
  return c;
}

TEST(Svg, BandsAndMarkersAreDrawnLabelledAndDescribed) {
  const std::string svg = chart_svg(band_and_markers(), ChartStyle{});
  // One polygon for the band (one unbroken run), behind the lines: it comes first in the plot.
  EXPECT_EQ(count_of(svg, "class=\"band-area\""), 1u);
  EXPECT_LT(svg.find("band-area"), svg.find("series-line"));
  // A ring per marked point, each with its value in a tooltip.
  EXPECT_EQ(count_of(svg, "<circle class=\"marker\""), 2u);
  EXPECT_NE(svg.find("<title>anomaly: 149.338"), std::string::npos) << svg; // 100 + 10 sin(20 pi / 7) + 45
  // The legend names the band and the markers; the description says what they show.
  EXPECT_NE(svg.find("swatch band"), std::string::npos);
  EXPECT_NE(svg.find("swatch marker"), std::string::npos);
  EXPECT_NE(svg.find("A shaded band shows the 95% interval of forecast."), std::string::npos);
  EXPECT_NE(svg.find("2 points are marked as anomaly."), std::string::npos);
  const json chart = read_back(svg);
  EXPECT_FALSE(chart.contains("error")) << chart.dump();
}

TEST(Svg, ALegendThatDoesNotFitEndsWithHowManyMore) {
  // A small picture has one legend row: the series that fit, then "+N more" for the rest; the band
  // and the markers come after the series, so they are left out too.
  ChartData c = band_and_markers();
  for (int i = 3; i <= 6; ++i) {
    c.series.push_back(ChartSeries{"a rather long series name " + std::to_string(i), c.series[0].values});
  }
  c.numeric_columns = c.series.size();
  const std::string svg = chart_svg(c, ChartStyle{400, 250, 2000});
  const size_t at = svg.find("class=\"legend-more\"");
  ASSERT_NE(at, std::string::npos) << svg;
  const size_t plus = svg.find('+', at);
  const size_t more = std::stoul(svg.substr(plus + 1));
  EXPECT_EQ(count_of(svg, "<line class=\"swatch\"") + more, c.series.size());
  EXPECT_EQ(svg.find("class=\"swatch band\""), std::string::npos);
  EXPECT_EQ(svg.find("class=\"swatch marker\""), std::string::npos);
  // Wide enough: every item, on more than one row if need be, and no "+N more".
  const std::string wide = chart_svg(c, ChartStyle{1200, 600, 2000});
  EXPECT_EQ(wide.find("class=\"legend-more\""), std::string::npos);
  EXPECT_EQ(count_of(wide, "<line class=\"swatch\""), c.series.size());
  EXPECT_NE(wide.find("swatch band"), std::string::npos);
  EXPECT_NE(wide.find("swatch marker"), std::string::npos);
}

TEST(SvgSample, ChartsOfEveryShapeParse) {
  CellStore s;
  std::vector<std::pair<std::string, std::string>> charts;

  const TableInfo line =
      table({col("date", Kind::Date), col("revenue", Kind::Numeric), col("orders", Kind::Integer)});
  // Series of very different sizes share one axis (no second axis: it invites false comparisons).
  charts.emplace_back("line", render(line, daily_sales(s)));

  const TableInfo bars =
      table({col("region", Kind::Text), col("revenue", Kind::Numeric), col("cost", Kind::Numeric)},
            "Revenue by region", "Revenue and cost per region, 2026.");
  const std::vector<std::string> regions = {"North America", "Europe",      "Asia Pacific",
                                            "Latin America", "Middle East", "Africa"};
  std::vector<std::vector<Cell>> rows;
  for (size_t i = 0; i < regions.size(); ++i) {
    rows.push_back({s.text(regions[i]), s.numeric(std::to_string(4.2e6 / double(i + 1))),
                    s.numeric(std::to_string(2.9e6 / double(i + 1.5)))});
  }
  charts.emplace_back("bars", render(bars, rows));

  // One series of hourly timestamptz values, long enough to be downsampled, with one spike.
  const TableInfo hourly =
      table({col("measured_at", Kind::TimestampTz), col("latency_ms", Kind::Float)}, "API latency", "");
  rows.clear();
  const int64_t start = days_from_civil(2026, 3, 1) * 86400;
  for (int i = 0; i < 24 * 90; ++i) {
    Cell at = s.integer(0);
    at.integer = (start + i * 3600) * 1000000LL;
    const double v = 120 + 30 * std::sin(i * 2 * M_PI / 24) + 10 * std::sin(i * 0.37) + (i == 1500 ? 400 : 0);
    rows.push_back({at, s.floating(v)});
  }
  charts.emplace_back("hourly", render(hourly, rows, R"({"width": 640, "height": 320})"));

  // Many categories with long names and negative values: turned labels, a zero line inside the plot.
  const TableInfo many =
      table({col("product", Kind::Text), col("margin", Kind::Numeric)}, "Margin by product", "");
  rows.clear();
  for (int i = 0; i < 36; ++i) {
    rows.push_back(
        {s.text("Product number " + std::to_string(i + 1) + (i % 3 == 0 ? " (discontinued line)" : "")),
         s.numeric(std::to_string((i % 5 - 1.5) * 1234.5))});
  }
  charts.emplace_back("many", render(many, rows));

  // The smallest picture with seven series: the legend is cut to two rows, the plot keeps its room.
  std::vector<Column> columns = {col("day", Kind::Date)};
  for (int i = 0; i < 7; ++i) {
    columns.push_back(col("series " + std::to_string(i + 1), Kind::Float));
  }
  rows.clear();
  for (int d = 0; d < 20; ++d) {
    std::vector<Cell> row = {s.date(2026, 2, 1 + d)};
    for (int i = 0; i < 7; ++i) {
      row.push_back(s.floating((i + 1) * 10 + 5 * std::sin(d / 3.0 + i)));
    }
    rows.push_back(row);
  }
  charts.emplace_back("small",
                      render(table(columns, "Seven series"), rows, R"({"width": 200, "height": 150})"));

  // A forecast: history, forecast, its interval as a band, and two points marked as anomalies.
  charts.emplace_back("band_markers", chart_svg(band_and_markers(), ChartStyle{}));

  const char* keep = std::getenv("AUTOREPORT_CHART_DIR");
  for (const auto& [name, svg] : charts) {
    if (keep != nullptr) {
      std::ofstream(std::string(keep) + "/" + name + ".svg") << svg;
    }
    const json chart = read_back(svg);
    EXPECT_FALSE(chart.contains("error")) << name << ": " << chart.dump();
    EXPECT_FALSE(chart["series"].empty()) << name;
  }
}

} // namespace
} // namespace autoreport::render
