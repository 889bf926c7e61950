// Resolving a job's relative-date parameters (params_pg.hpp).
// nlohmann/json before PostgreSQL's headers, which redefine snprintf.
#include "schedules/params_pg.hpp"
#include "reports/exact_json.hpp"

#include "common/calendar.hpp"

namespace autoreport::schedules {

// The report's parameters as a run at `at` would bind them: relative dates resolved in the job's zone.
std::string resolved_params(const reports::ReportVersion& report, nlohmann::json params,
                            const std::map<std::string, RelativeDate>& relative, int64_t at,
                            const TimeZone& zone) {
  const auto put = [&](const reports::ParamSpec& spec, const RelativeDate& date) {
    const LocalDateTime v = resolve(date, at, zone);
    params[spec.name] = spec.base == reports::BaseType::Date
                            ? format_date(v.days())
                            : format_date_time(v.instant(zone), true) + "+00";
  };
  for (const auto& [name, date] : relative) {
    const reports::ParamSpec* spec = nullptr;
    for (const reports::ParamSpec& p : report.params) {
      spec = p.name == name ? &p : spec;
    }
    if (spec == nullptr) {
      continue; // bind_json names the unknown parameter
    }
    if (spec->is_array ||
        (spec->base != reports::BaseType::Date && spec->base != reports::BaseType::TimestampTz)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "parameter \"" + name + "\" (" + spec->sql_type() + ") cannot be a relative date")
          .with_detail("Relative dates are for date and timestamptz parameters.");
    }
    put(*spec, date);
  }
  // A report's own relative defaults resolve the same way: at the run's scheduled time, in the job's
  // zone (not at the moment the worker runs it, in the worker's zone).
  for (const reports::ParamSpec& p : report.params) {
    if (p.relative_default && !params.contains(p.name)) {
      put(p, *p.relative_default);
    }
  }
  return reports::dump_exact(params);
}

} // namespace autoreport::schedules
