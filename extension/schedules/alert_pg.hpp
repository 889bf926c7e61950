// A job's alert condition, checked at definition: one boolean SQL expression over the report's result
// columns, reading nothing else and calling only immutable functions.
#pragma once

#include "reports/catalog_pg.hpp"

#include <string>
#include <vector>

namespace autoreport::schedules {

// "row" when the condition is evaluated per row (revenue < 1000), "result" when it aggregates the
// whole result (count(*) > 0, max(score) > 4). 22023 saying why otherwise: not one expression, not
// boolean, reads a table or a subquery, calls a function that is not immutable, a set-returning or a
// window function, or fails to parse or resolve (the parser's message is kept).
std::string check_alert(const std::string& condition, const std::vector<reports::ResultColumn>& columns);

} // namespace autoreport::schedules
