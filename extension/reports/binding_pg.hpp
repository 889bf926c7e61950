// Parameter values: from a JSON object or from the arguments of reports.<name>(...), converted by
// PostgreSQL's own type input, checked against the declarations, and ready to bind as $1, $2, ...
#pragma once

#include "common/spi_pg.hpp"
#include "reports/catalog_pg.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include <optional>

#include <string>
#include <utility>
#include <vector>

namespace autoreport::reports {

struct BoundParams {
  std::vector<pg::SpiParam> values;                         // declaration order
  std::string cache_key;                                    // canonical, from the binary send form
  std::vector<std::pair<std::string, std::string>> display; // name and value as text, for documents
  std::string json;                                         // the values as a JSON object (audit log)
};

// From a JSON object of name → value. Unknown names, missing required values, values of the wrong
// type, out of bounds or not allowed: 22023 naming the parameter and its type.
BoundParams bind_json(const ReportVersion& report, const std::string& params_json);

// From the arguments of the report's own function (already typed; defaults already applied).
BoundParams bind_args(const ReportVersion& report, FunctionCallInfo fcinfo);

// At definition time: the default, bounds and allowed values are values of the declared type, and
// the default respects the bounds.
void validate_declaration(const ParamSpec& spec);

// The DEFAULT clause of a parameter in reports.<name>(...): the value as a literal (quoted and cast),
// autoreport.relative_date('...') for a relative date (resolved at each call, shown by \df), and
// autoreport.required('name', NULL::type) for a required one (22023 naming it when left out).
std::string default_literal(const ParamSpec& spec);

// A relative default's value now: at the start of the transaction (as now()), in the session's
// TimeZone; a date or a timestamptz Datum.
Datum resolve_relative_default(const ParamSpec& spec);

// A relative date at the start of the transaction in the session's TimeZone: its local date and time,
// and in `instant` the timestamptz (nothing when out of range), with now()'s microseconds when it
// derives from "now". What resolve_relative_default and autoreport.relative_date() both use.
LocalDateTime resolve_at_transaction_start(const RelativeDate& date, std::optional<TimestampTz>* instant);

} // namespace autoreport::reports
