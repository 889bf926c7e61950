// Rendering a report for a scheduled job: the same path as autoreport.render() (privileges, parameters,
// cache, renderers, the audit log), with the rows handed on as well for the job's alert.
#pragma once

#include "reports/execute_pg.hpp"

#include <string>
#include <vector>

namespace autoreport::reports {

struct JobRender {
  Datum bytes = Datum(0); // a bytea in the current memory context
  int64_t rows = 0;
  std::vector<ResultColumn> columns; // the report's result columns, as defined
};

// autoreport.render(report, params, format, options) as the current user, calling `also` with every
// batch of rows too. Errors are those render() raises.
JobRender render_for_job(const std::string& report, const std::string& params_json, const std::string& format,
                         const std::string& options_json, const RowsFn& also);

} // namespace autoreport::reports
