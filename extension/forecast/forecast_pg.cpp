// SQL functions of forecasting: autoreport.forecast over an array, over a query of (time, value) rows
// and over a query of (series, time, value) rows, and autoreport.forecast_model, which explains the
// model. Thin glue: the models are in forecast/auto.hpp, the regularisation in forecast/regular.hpp.
#include "common/boundary_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/runtime.hpp"
#include "forecast/auto.hpp"
#include "forecast/chart_data.hpp"
#include "forecast/regular.hpp"
#include "forecast/series_pg.hpp"
#include "render/chart.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace autoreport::forecast {
namespace {

struct Arguments {
  ForecastOptions options;
  Bucketing bucketing;
};

// Argument n, the seasonal periods of MSTL (integer[]); none when NULL. 22023 for NULL elements or
// periods below 2 (the rest is checked by forecast_series).
std::vector<size_t> periods_arg(FunctionCallInfo fcinfo, int n) {
  std::vector<size_t> periods;
  if (PG_ARGISNULL(n)) {
    return periods;
  }
  const std::vector<std::optional<int32_t>> given = pg::int4_array(PG_GETARG_DATUM(n));
  if (given.empty()) {
    throw Error(sqlstate::invalid_parameter_value, "periods must not be empty")
        .with_hint("give the seasonal periods, e.g. '{24,168}' for hourly data, or NULL to detect them");
  }
  for (const std::optional<int32_t>& m : given) {
    if (!m) {
      throw Error(sqlstate::invalid_parameter_value, "periods must not contain NULL");
    }
    if (*m < 2) {
      throw Error(sqlstate::invalid_parameter_value,
                  "seasonal periods must be at least 2, not " + std::to_string(*m))
          .with_hint("a period is the number of values in one cycle, e.g. 24 and 168 for hourly data");
    }
    periods.push_back(static_cast<size_t>(*m));
  }
  return periods;
}

// The arguments every form shares, from argument `first` on: horizon, period, method, levels (the
// forecasting forms only), then fill, and for the query forms aggregate and frequency; the periods
// from argument `periods_at`, the last of every form.
Arguments read_arguments(FunctionCallInfo fcinfo, int first, bool forecasting, bool query, int periods_at) {
  Arguments a;
  int n = first;
  if (forecasting) {
    if (PG_ARGISNULL(n)) {
      throw Error(sqlstate::invalid_parameter_value, "horizon must not be null");
    }
    const int32 horizon = PG_GETARG_INT32(n);
    if (horizon < 1) {
      throw Error(sqlstate::invalid_parameter_value,
                  "horizon must be at least 1, not " + std::to_string(horizon));
    }
    a.options.horizon = static_cast<size_t>(horizon);
    ++n;
  }
  a.options.period = period_arg(fcinfo, n++);
  a.options.method = text_arg(fcinfo, n++, "method");
  if (forecasting) {
    a.options.levels.clear();
    if (!PG_ARGISNULL(n)) {
      for (const std::optional<double>& level : pg::float8_array(PG_GETARG_DATUM(n))) {
        if (!level) {
          throw Error(sqlstate::invalid_parameter_value, "levels must not contain NULL");
        }
        normal_quantile_for_level(*level);
        a.options.levels.push_back(*level);
      }
    }
    ++n;
  }
  a.bucketing = bucketing_args(fcinfo, n, query);
  a.options.periods = periods_arg(fcinfo, periods_at);
  return a;
}

std::vector<double> array_history(FunctionCallInfo fcinfo, Fill fill) {
  if (PG_ARGISNULL(0)) {
    throw Error(sqlstate::invalid_parameter_value, "history must not be null");
  }
  return fill_missing(pg::float8_array(PG_GETARG_DATUM(0)), fill, nullptr);
}

struct Prepared {
  RegularSeries series;
  ForecastOptions options;
  Fill fill = Fill::Linear;
};

Prepared prepare(Rows& rows, const Arguments& a) {
  Prepared p{regular_series(rows, a.bucketing), a.options, a.bucketing.fill};
  if (p.options.horizon >= 1 && p.options.horizon <= kMaxHorizon) {
    // The last future time must be one PostgreSQL can hold: checked before anything is fitted.
    add_steps(p.series.start, p.series.step,
              static_cast<int64_t>(p.series.values.size() + p.options.horizon) - 1);
  }
  if (p.options.period == 0) {
    p.options.candidates = seasonal_candidates(p.series.step);
  }
  return p;
}

// One row per step: step, [at,] value, lower[], upper[].
void put_forecast(pg::TupleSink& sink, const Forecast& f, const std::optional<std::string>& key,
                  const Prepared* query) {
  const size_t levels = f.levels.size();
  for (size_t k = 0; k < f.mean.size(); ++k) {
    std::vector<std::optional<double>> lower(levels), upper(levels);
    for (size_t i = 0; i < levels; ++i) {
      lower[i] = f.lower[i][k];
      upper[i] = f.upper[i][k];
    }
    std::vector<Datum> values;
    if (key) {
      values.push_back(pg::string_to_text(*key));
    }
    values.push_back(Int32GetDatum(static_cast<int32>(k + 1)));
    if (query) {
      const RegularSeries& s = query->series;
      values.push_back(series_time(s, s.values.size() + k));
    }
    values.push_back(Float8GetDatum(f.mean[k]));
    values.push_back(pg::make_float8_array(lower));
    values.push_back(pg::make_float8_array(upper));
    const std::array<bool, 6> nulls{};
    sink.put(values, std::span<const bool>(nulls.data(), values.size()));
  }
}

Datum model_record(FunctionCallInfo fcinfo, const ModelSummary& m, const Prepared* query) {
  // Made before the guarded call: nothing with a destructor is created inside it.
  const std::string frequency = query ? step_text(query->series.step) : "";
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
  for (const auto& [name, value] : m.parameters) {
    parameters[name] = value;
  }
  if (!m.members.empty()) {
    // A combination: each member's model, parameters and criteria.
    nlohmann::ordered_json members = nlohmann::ordered_json::array();
    for (const ModelSummary& member : m.members) {
      nlohmann::ordered_json one = {{"model", member.model}, {"sigma", member.sigma}};
      for (const auto& [name, value] : member.parameters) {
        one[name] = value;
      }
      if (member.has_criteria && std::isfinite(member.aicc)) {
        one["aicc"] = member.aicc;
      }
      members.push_back(one);
    }
    parameters["members"] = members;
  }
  std::vector<std::optional<std::string>> notes(m.notes.begin(), m.notes.end());
  if (query && query->series.filled > 0) {
    notes.emplace_back(std::to_string(query->series.filled) + " of " +
                       std::to_string(query->series.values.size()) +
                       " buckets had no value and were filled (" + std::string(fill_name(query->fill)) + ")");
  }
  std::array<Datum, 12> values = {
      pg::string_to_text(m.method),
      pg::string_to_text(m.model),
      Int32GetDatum(static_cast<int32>(m.n)),
      Int32GetDatum(static_cast<int32>(m.period)),
      BoolGetDatum(m.period_detected),
      query ? pg::guard([&] {
        return DirectFunctionCall3(interval_in, CStringGetDatum(frequency.c_str()),
                                   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
      })
            : Datum(0),
      pg::string_to_jsonb(parameters.dump()),
      Float8GetDatum(m.aic),
      Float8GetDatum(m.aicc),
      Float8GetDatum(m.bic),
      Float8GetDatum(m.sigma),
      pg::make_text_array(notes),
  };
  std::array<bool, 12> nulls{};
  nulls[5] = query == nullptr;
  nulls[7] = nulls[8] = nulls[9] = !m.has_criteria || !std::isfinite(m.aicc);
  return pg::make_result_record(fcinfo, values, nulls);
}

} // namespace
} // namespace autoreport::forecast

using namespace autoreport;
using namespace autoreport::forecast;

// autoreport.forecast(history float8[], horizon, period, method, levels, fill, periods)
AUTOREPORT_FUNCTION(autoreport_forecast_array) {
  const Arguments a = read_arguments(fcinfo, 1, true, false, 6);
  const std::vector<double> y = array_history(fcinfo, a.bucketing.fill);
  const SeriesForecast r = forecast_series(y, a.options);
  pg::TupleSink sink(fcinfo);
  put_forecast(sink, r.forecast, std::nullopt, nullptr);
  return Datum(0);
}

// autoreport.forecast(query text, horizon, period, method, levels, fill, aggregate, frequency, periods)
AUTOREPORT_FUNCTION(autoreport_forecast_query) {
  const std::string sql = text_arg(fcinfo, 0, "query");
  const Arguments a = read_arguments(fcinfo, 1, true, true, 8);
  Rows rows = read_one_series(sql);
  const Prepared p = prepare(rows, a);
  const SeriesForecast r = forecast_series(p.series.values, p.options);
  pg::TupleSink sink(fcinfo);
  put_forecast(sink, r.forecast, std::nullopt, &p);
  return Datum(0);
}

// autoreport.forecast_groups(query text, horizon, period, method, levels, fill, aggregate, frequency,
// periods)
AUTOREPORT_FUNCTION(autoreport_forecast_groups) {
  const std::string sql = text_arg(fcinfo, 0, "query");
  const Arguments a = read_arguments(fcinfo, 1, true, true, 8);
  std::map<std::string, Rows> rows = read_query(sql, true);
  pg::TupleSink sink(fcinfo);
  ProgressScope progress("forecast", std::to_string(rows.size()) + " series",
                         static_cast<int64_t>(rows.size()));
  for (auto& [key, series] : rows) {
    try {
      const Prepared p = prepare(series, a);
      const SeriesForecast r = forecast_series(p.series.values, p.options);
      put_forecast(sink, r.forecast, key, &p);
    } catch (Error& e) {
      throw std::move(e.with_context("forecasting series \"" + key + "\""));
    }
    series = Rows{}; // its memory is no longer needed
    progress.advance();
  }
  return Datum(0);
}

// autoreport.forecast_model(history float8[], period, method, fill, periods)
AUTOREPORT_FUNCTION(autoreport_forecast_model_array) {
  Arguments a = read_arguments(fcinfo, 1, false, false, 4);
  const std::vector<double> y = array_history(fcinfo, a.bucketing.fill);
  a.options.levels.clear();
  const SeriesForecast r = forecast_series(y, a.options);
  return model_record(fcinfo, r.model, nullptr);
}

// autoreport.forecast_model(query text, period, method, fill, aggregate, frequency, periods)
AUTOREPORT_FUNCTION(autoreport_forecast_model_query) {
  const std::string sql = text_arg(fcinfo, 0, "query");
  Arguments a = read_arguments(fcinfo, 1, false, true, 6);
  a.options.levels.clear();
  Rows rows = read_one_series(sql);
  const Prepared p = prepare(rows, a);
  const SeriesForecast r = forecast_series(p.series.values, p.options);
  return model_record(fcinfo, r.model, &p);
}

// autoreport.forecast_chart(query text, horizon, period, method, level, fill, aggregate, frequency, title,
// width, height, periods) -> the SVG of the history, the forecast and its interval
AUTOREPORT_FUNCTION(autoreport_forecast_chart) {
  const std::string sql = text_arg(fcinfo, 0, "query");
  Arguments a = read_arguments(fcinfo, 1, true, true, 11);
  if (a.options.levels.size() > 1) {
    throw Error(sqlstate::invalid_parameter_value, "a chart shows one interval: give one level (or none)");
  }
  const std::optional<std::string> title =
      PG_ARGISNULL(8) ? std::nullopt : std::optional(text_arg(fcinfo, 8, "title"));
  const render::ChartStyle style = chart_style(fcinfo, 9);
  ColumnNames names;
  Rows rows = read_one_series(sql, &names);
  const Prepared p = prepare(rows, a);
  const SeriesForecast r = forecast_series(p.series.values, p.options);
  render::ChartData chart = forecast_chart_data(p.series, r.forecast, 0,
                                                title ? *title : "Forecast of " + names.value, names.value);
  chart.x_name = names.time;
  chart.description = "Forecast by " + r.model.model + ".";
  return pg::bytes_to_bytea(render::chart_svg(chart, style));
}
