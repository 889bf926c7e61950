// Reading (time, value) rows from a query into regular series.
#include "forecast/series_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/runtime.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/date.h"
#include "utils/timestamp.h"
}

#include <algorithm>

namespace autoreport::forecast {

namespace {

// Microseconds from 1970-01-01 (the pure code's epoch) to 2000-01-01 (PostgreSQL's).
constexpr int64_t kPgEpochMicros = 946684800LL * kMicrosPerSecond;

// A time column's value as microseconds since 1970, wall-clock and absolute (Rows).
std::pair<int64_t, int64_t> time_micros(Datum value, Oid type) {
  Timestamp wall = 0;
  Timestamp absolute = 0;
  switch (type) {
  case TIMESTAMPOID:
    wall = absolute = DatumGetTimestamp(value);
    break;
  case TIMESTAMPTZOID:
    absolute = DatumGetTimestampTz(value);
    wall = TIMESTAMP_NOT_FINITE(absolute) ? absolute : pg::guard([&] {
      return DatumGetTimestamp(DirectFunctionCall1(timestamptz_timestamp, value));
    });
    break;
  case DATEOID:
    wall = absolute =
        pg::guard([&] { return DatumGetTimestamp(DirectFunctionCall1(date_timestamp, value)); });
    break;
  default:
    throw Error(sqlstate::invalid_parameter_value, "the time column must be timestamptz, timestamp or date");
  }
  if (TIMESTAMP_NOT_FINITE(wall) || TIMESTAMP_NOT_FINITE(absolute)) {
    throw Error(sqlstate::invalid_parameter_value, "the time column must not hold infinity");
  }
  for (const Timestamp ts : {wall, absolute}) {
    if (ts >= kEndTime - kPgEpochMicros) {
      throw Error(sqlstate::invalid_parameter_value, "times from the year 294000 on are not supported");
    }
  }
  return {wall + kPgEpochMicros, absolute + kPgEpochMicros};
}

} // namespace

Datum series_time(const RegularSeries& series, size_t k) {
  const int64_t t = add_steps(series.start, series.step, static_cast<int64_t>(k)) - kPgEpochMicros;
  if (series.absolute) {
    return TimestampTzGetDatum(t);
  }
  return pg::guard([&] { return DirectFunctionCall1(timestamp_timestamptz, TimestampGetDatum(t)); });
}

std::string text_arg(FunctionCallInfo fcinfo, int n, const char* name) {
  if (PG_ARGISNULL(n)) {
    throw Error(sqlstate::invalid_parameter_value, std::string(name) + " must not be null");
  }
  return pg::text_to_string(PG_GETARG_DATUM(n));
}

Step interval_step(const Interval* iv) {
  if (iv->month > 0 && iv->day == 0 && iv->time == 0) {
    return Step{iv->month, 0};
  }
  if (iv->month == 0 && iv->day >= 0 && iv->time >= 0 && (iv->day > 0 || iv->time > 0)) {
    int64_t micros = 0;
    if (__builtin_mul_overflow(static_cast<int64_t>(iv->day), kMicrosPerDay, &micros) ||
        __builtin_add_overflow(micros, iv->time, &micros)) {
      throw Error(sqlstate::invalid_parameter_value, "frequency is too large");
    }
    return Step{0, micros};
  }
  throw Error(sqlstate::invalid_parameter_value,
              "frequency must be a positive interval of months, or of days and time, not both");
}

// Reads the query's rows: (time, value), or (series, time, value) grouped by the series' text, and
// the columns' names when asked.
std::map<std::string, Rows> read_query(const std::string& sql, bool grouped, ColumnNames* names) {
  std::map<std::string, Rows> series;
  const int time_column = grouped ? 1 : 0;
  pg::SpiConnection spi;
  Portal portal = spi.open_cursor(sql, {});
  bool checked = false;
  for (;;) {
    check_interrupts();
    const uint64 fetched = spi.fetch(portal, 10000);
    if (fetched == 0) {
      break;
    }
    const pg::SpiResult result(SPI_tuptable, fetched, SPI_OK_FETCH);
    if (!checked) {
      if (result.columns() != time_column + 2) {
        throw Error(sqlstate::invalid_parameter_value,
                    std::string("the query must return ") +
                        (grouped ? "3 columns (series, time, value)" : "2 columns (time, value)") + ", not " +
                        std::to_string(result.columns()));
      }
      switch (result.column_type(time_column + 1)) {
      case INT2OID:
      case INT4OID:
      case INT8OID:
      case FLOAT4OID:
      case FLOAT8OID:
      case NUMERICOID:
        break;
      default:
        throw Error(sqlstate::invalid_parameter_value, "the value column must be numeric")
            .with_hint("cast it, e.g. value::float8");
      }
      if (names) {
        names->time = result.column_name(time_column);
        names->value = result.column_name(time_column + 1);
      }
      checked = true;
    }
    const Oid time_type = result.column_type(time_column);
    for (uint64 row = 0; row < fetched; ++row) {
      bool null = false;
      const Datum t = result.datum(row, time_column, &null);
      if (null) {
        continue; // a row without a time belongs nowhere
      }
      std::string key;
      if (grouped) {
        const std::optional<std::string> k = result.text(row, 0);
        if (!k) {
          throw Error(sqlstate::invalid_parameter_value, "the series column must not be NULL");
        }
        key = *k;
      }
      Rows& rows = series[key];
      const auto [wall, absolute] = time_micros(t, time_type);
      rows.times.push_back(wall);
      rows.zoned = time_type == TIMESTAMPTZOID;
      if (rows.zoned) {
        rows.absolute.push_back(absolute);
      }
      rows.values.push_back(result.number(row, time_column + 1));
    }
    spi.free_rows(SPI_tuptable);
  }
  spi.close_cursor(portal);
  return series;
}

Rows read_one_series(const std::string& sql, ColumnNames* names) {
  std::map<std::string, Rows> rows = read_query(sql, false, names);
  if (rows.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "the query returned no rows with a time");
  }
  return std::move(rows.begin()->second);
}

Bucketing bucketing_args(FunctionCallInfo fcinfo, int n, bool query) {
  Bucketing b;
  if (query) {
    b.aggregate = parse_aggregate(text_arg(fcinfo, n + 1, "aggregate"));
    if (!PG_ARGISNULL(n + 2)) {
      b.step = interval_step(PG_GETARG_INTERVAL_P(n + 2));
    }
  }
  const bool sums = query && b.aggregate == Aggregate::Sum;
  b.fill = PG_ARGISNULL(n) ? (sums ? Fill::Zero : Fill::Linear)
                           : parse_fill(pg::text_to_string(PG_GETARG_DATUM(n)));
  return b;
}

size_t period_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) {
    return 0;
  }
  const int32 period = PG_GETARG_INT32(n);
  if (period < 1) {
    throw Error(sqlstate::invalid_parameter_value,
                "period must be at least 1 (or NULL to detect it), not " + std::to_string(period));
  }
  return static_cast<size_t>(period);
}

render::ChartStyle chart_style(FunctionCallInfo fcinfo, int n) {
  render::ChartStyle style;
  for (const int i : {n, n + 1}) {
    const std::string name = i == n ? "width" : "height";
    if (PG_ARGISNULL(i)) {
      throw Error(sqlstate::invalid_parameter_value, name + " must not be null");
    }
    const int32 pixels = PG_GETARG_INT32(i);
    if (pixels < 200 || pixels > 4000) {
      throw Error(sqlstate::invalid_parameter_value,
                  name + " must be between 200 and 4000 pixels, not " + std::to_string(pixels));
    }
    (i == n ? style.width : style.height) = pixels;
  }
  return style;
}

RegularSeries regular_series(const Rows& rows, const Bucketing& bucketing) {
  std::vector<int64_t> sorted = rows.times;
  std::sort(sorted.begin(), sorted.end());
  Step used = bucketing.step ? fit_step(*bucketing.step, sorted) : detect_step(sorted);
  // Under a day, the clock the rows keep to: absolute for rows made by adding hours (the repeated
  // autumn hour its own bucket), the wall clock for rows at local times (noon and midnight).
  if (rows.zoned && used.months == 0 && used.micros < kMicrosPerDay) {
    std::vector<int64_t> absolute = rows.absolute;
    std::sort(absolute.begin(), absolute.end());
    if (gaps_equal_to(absolute, used.micros) > gaps_equal_to(sorted, used.micros)) {
      used.slack = used.lead = 0;
      RegularSeries r =
          regularise(rows.absolute, rows.values, used, bucketing.aggregate, bucketing.fill, kMaxPoints);
      r.absolute = true;
      return r;
    }
  }
  return regularise(rows.times, rows.values, used, bucketing.aggregate, bucketing.fill, kMaxPoints);
}

} // namespace autoreport::forecast
