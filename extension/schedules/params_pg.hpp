// A job's parameters as a run binds them: relative dates ({"relative": "start of last month"}) resolved
// in the job's time zone at the run's scheduled time. schedule() checks them this way too.
#pragma once

// nlohmann/json before PostgreSQL's headers, which redefine snprintf.
#include <nlohmann/json.hpp>

#include "common/relative_date.hpp"
#include "reports/catalog_pg.hpp"

#include <map>
#include <string>

namespace autoreport::schedules {

// The parameters as JSON text with each relative date resolved at `at` (seconds since 1970) in `zone`:
// a date parameter gets the local date, a timestamptz the instant in UTC. The report's relative defaults
// of parameters the job leaves out are resolved the same way. 22023 for a relative date given to a
// parameter of another type.
std::string resolved_params(const reports::ReportVersion& report, nlohmann::json params,
                            const std::map<std::string, RelativeDate>& relative, int64_t at,
                            const TimeZone& zone);

} // namespace autoreport::schedules
