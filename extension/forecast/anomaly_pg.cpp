// SQL functions of anomaly detection: autoreport.anomalies over an array and over a query of (time,
// value) rows, autoreport.anomalous (a scalar for alert conditions), and autoreport.anomalies_chart.
// Thin glue: the detector is forecast/anomaly.hpp.
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "forecast/anomaly.hpp"
#include "forecast/auto.hpp"
#include "forecast/chart_data.hpp"
#include "forecast/series_pg.hpp"
#include "render/chart.hpp"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

struct Request {
  size_t period = 0; // 0: detect
  AnomalyOptions options;
  bool causal = false;
  Bucketing bucketing;
};

// Arguments from `first` on: period, sensitivity, fill, and for the query forms aggregate, frequency;
// max_share and causal at `extra` and `extra + 1`.
Request read_request(FunctionCallInfo fcinfo, int first, bool query, int extra) {
  Request r;
  r.period = period_arg(fcinfo, first);
  if (PG_ARGISNULL(extra)) {
    throw Error(sqlstate::invalid_parameter_value, "max_share must not be null")
        .with_hint("use e.g. 0.02 to flag at most 2% of the points.");
  }
  if (PG_ARGISNULL(extra + 1)) {
    throw Error(sqlstate::invalid_parameter_value, "causal must not be null")
        .with_hint(
            "use true to score each point on the points before it only, false to judge the whole series.");
  }
  r.options = anomaly_options(text_arg(fcinfo, first + 1, "sensitivity"), PG_GETARG_FLOAT8(extra));
  r.causal = PG_GETARG_BOOL(extra + 1);
  r.bucketing = bucketing_args(fcinfo, first + 2, query);
  return r;
}

struct Detected {
  RegularSeries series;
  std::vector<AnomalyPoint> points;
};

// candidates: the periods the query's step suggests; none for an array (then the autocorrelation's
// highest significant peak).
Detected detect(RegularSeries series, const Request& r, const std::vector<size_t>& candidates) {
  size_t period = r.period;
  if (period == 0) {
    period = detect_period(series.values, candidates);
  }
  Detected d{std::move(series), {}};
  d.points = r.causal ? detect_anomalies_causal(d.series.values, period, r.options)
                      : detect_anomalies(d.series.values, period, r.options);
  return d;
}

// The series of an array argument: NULL elements are filled for the model and marked missing.
Detected detect_array(FunctionCallInfo fcinfo, int n, const Request& r) {
  const std::vector<std::optional<double>> values = pg::float8_array(PG_GETARG_DATUM(n));
  RegularSeries series;
  series.step = Step{0, 1};
  series.values = fill_missing(values, r.bucketing.fill, &series.filled);
  for (const std::optional<double>& v : values) {
    series.missing.push_back(!v.has_value());
  }
  return detect(std::move(series), r, {});
}

// Whether point t is an anomaly (a missing value never is).
bool flagged(const Detected& d, size_t t) {
  return d.points[t].flag && !(t < d.series.missing.size() && d.series.missing[t]);
}

Detected detect_query(FunctionCallInfo fcinfo, ColumnNames* names, int extra) {
  const std::string sql = text_arg(fcinfo, 0, "query");
  const Request r = read_request(fcinfo, 1, true, extra);
  RegularSeries series = regular_series(read_one_series(sql, names), r.bucketing);
  const std::vector<size_t> candidates = seasonal_candidates(series.step);
  return detect(std::move(series), r, candidates);
}

const char* kind_name(AnomalyKind kind) {
  return kind == AnomalyKind::level_shift ? "level_shift" : "spike";
}

// One row per point: [ordinal | at], value (NULL where missing: a NULL element, or a bucket filled
// by a rule other than zero), expected, lower, upper, score, flag, kind (NULL unless flagged),
// probability (NULL, and lower and upper too, where the causal form has no model yet).
void put_points(pg::TupleSink& sink, const Detected& d, bool query) {
  for (size_t t = 0; t < d.points.size(); ++t) {
    const AnomalyPoint& p = d.points[t];
    const bool missing = t < d.series.missing.size() && d.series.missing[t];
    const bool flag = flagged(d, t);
    const std::array<Datum, 9> values = {
        query ? series_time(d.series, t) : Int32GetDatum(static_cast<int32>(t + 1)),
        Float8GetDatum(d.series.values[t]),
        Float8GetDatum(p.expected),
        Float8GetDatum(p.lower),
        Float8GetDatum(p.upper),
        Float8GetDatum(p.score),
        BoolGetDatum(flag),
        flag ? pg::string_to_text(kind_name(p.kind)) : Datum(0),
        Float8GetDatum(p.probability),
    };
    std::array<bool, 9> nulls{};
    nulls[1] = missing;
    nulls[3] = std::isnan(p.lower);
    nulls[4] = std::isnan(p.upper);
    nulls[7] = !flag;
    nulls[8] = std::isnan(p.probability);
    sink.put(values, nulls);
  }
}

} // namespace
} // namespace autoreport::forecast

using namespace autoreport;
using namespace autoreport::forecast;

// autoreport.anomalies(history float8[], period, sensitivity, fill, max_share, causal)
AUTOREPORT_FUNCTION(autoreport_anomalies_array) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "history must not be null");
  }
  const Request r = read_request(fcinfo, 1, false, 4);
  const Detected d = detect_array(fcinfo, 0, r);
  pg::TupleSink sink(fcinfo);
  put_points(sink, d, false);
  return Datum(0);
}

// autoreport.anomalous(history float8[], last, period, sensitivity, fill, max_share, causal) -> whether any
// of the last `last` values is an anomaly, as autoreport.anomalies flags them; NULL for a NULL history (an
// alert over an empty result then does not hold).
AUTOREPORT_FUNCTION(autoreport_anomalous) {
  if (PG_ARGISNULL(0)) {
    PG_RETURN_NULL();
  }
  if (PG_ARGISNULL(1)) {
    throw Error(sqlstate::invalid_parameter_value, "last must not be null");
  }
  const int32 last = PG_GETARG_INT32(1);
  if (last < 1) {
    throw Error(sqlstate::invalid_parameter_value, "last must be at least 1, not " + std::to_string(last))
        .with_hint("last is how many of the newest values are looked at: 1 for the newest only.");
  }
  const Request r = read_request(fcinfo, 2, false, 5);
  const Detected d = detect_array(fcinfo, 0, r);
  const size_t n = d.points.size();
  bool any = false;
  for (size_t t = n > static_cast<size_t>(last) ? n - static_cast<size_t>(last) : 0; t < n; ++t) {
    any = any || flagged(d, t);
  }
  PG_RETURN_BOOL(any);
}

// autoreport.anomalies(query text, period, sensitivity, fill, aggregate, frequency, max_share, causal)
AUTOREPORT_FUNCTION(autoreport_anomalies_query) {
  const Detected d = detect_query(fcinfo, nullptr, 6);
  pg::TupleSink sink(fcinfo);
  put_points(sink, d, true);
  return Datum(0);
}

// autoreport.anomalies_chart(query text, period, sensitivity, fill, aggregate, frequency, title, width,
// height, max_share, causal) -> the SVG of the series, its expected range and the anomalies
AUTOREPORT_FUNCTION(autoreport_anomalies_chart) {
  ColumnNames names;
  const std::optional<std::string> title =
      PG_ARGISNULL(6) ? std::nullopt : std::optional(text_arg(fcinfo, 6, "title"));
  const render::ChartStyle style = chart_style(fcinfo, 7);
  const Detected d = detect_query(fcinfo, &names, 9);
  render::ChartData chart =
      anomaly_chart_data(d.series, d.points, title ? *title : "Anomalies in " + names.value, names.value);
  chart.x_name = names.time;
  return pg::bytes_to_bytea(render::chart_svg(chart, style));
}
