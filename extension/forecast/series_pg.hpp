// What the forecasting and anomaly functions share on the PostgreSQL side: text arguments, the
// frequency interval, and reading a query's (time, value) or (series, time, value) rows into regular
// series (forecast/regular.hpp).
#pragma once

#include "common/boundary_pg.hpp"
#include "forecast/regular.hpp"
#include "render/chart.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/timestamp.h"
}

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::forecast {

// The longest regular series a query may make (buckets, after filling gaps).
inline constexpr size_t kMaxPoints = 10000000;

// Argument n as text; 22023 "<name> must not be null" when NULL.
std::string text_arg(FunctionCallInfo fcinfo, int n, const char* name);

// A frequency interval as a step: whole months, or days and time (not both; positive).
Step interval_step(const Interval* iv);

// A series' rows as the query returned them: times as microseconds since 1970, wall-clock (in the
// session's zone), and for timestamptz also absolute.
struct Rows {
  std::vector<int64_t> times;
  std::vector<int64_t> absolute; // timestamptz only (zoned); empty for timestamp and date
  bool zoned = false;            // the time column is timestamptz
  std::vector<std::optional<double>> values;
};

// The names of a query's time and value columns.
struct ColumnNames {
  std::string time, value;
};

// Runs a read-only query and reads its rows: (time, value), or (series, time, value) grouped by the
// series' text; rows without a time are skipped. The columns' names go to names when given.
std::map<std::string, Rows> read_query(const std::string& sql, bool grouped, ColumnNames* names = nullptr);

// The rows of a (time, value) query; 22023 when it returned no row with a time.
Rows read_one_series(const std::string& sql, ColumnNames* names = nullptr);

// How a query's rows become a regular series, from arguments n (fill), and for a query n + 1 (aggregate)
// and n + 2 (frequency, NULL to detect). A NULL fill is the default: zero under the sum (a bucket
// without rows had nothing to add up), linear otherwise.
struct Bucketing {
  Fill fill = Fill::Linear;
  Aggregate aggregate = Aggregate::Sum;
  std::optional<Step> step;
};
Bucketing bucketing_args(FunctionCallInfo fcinfo, int n, bool query);

// Argument n as a seasonal period: 0 (detect) when NULL, otherwise at least 1 (22023).
size_t period_arg(FunctionCallInfo fcinfo, int n);

// The rows as a regular series: at the given step (fitted to the times) or the one detected from the
// wall-clock times. A step under a day on timestamptz rows buckets absolute times when the rows keep to
// the step better in absolute time (rows made by adding hours: the hour daylight saving repeats is
// then not summed into one bucket, the hour it skips not a gap), wall-clock times otherwise (rows at
// local times of day).
RegularSeries regular_series(const Rows& rows, const Bucketing& bucketing);

// The chart size from arguments n (width) and n + 1 (height): 200 to 4000 pixels each.
render::ChartStyle chart_style(FunctionCallInfo fcinfo, int n);

// The time of point k (0: the first) of a series, history or forecast, as timestamptz.
Datum series_time(const RegularSeries& series, size_t k);

} // namespace autoreport::forecast
