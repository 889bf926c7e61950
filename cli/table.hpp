// Tables printed the way psql prints them (aligned, a header, a rule), for list and describe.
// Pure: no libpq.
#pragma once

#include <string>
#include <vector>

namespace autoreport::cli {

using Row = std::vector<std::string>;

// psql's aligned format without the row count: " a | b " lines, the header centred, a rule of
// dashes. Widths are counted in characters (UTF-8 code points); a line break in a cell becomes a space.
std::string aligned_table(const Row& header, const std::vector<Row>& rows);

} // namespace autoreport::cli
