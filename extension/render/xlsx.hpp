// An Excel workbook (libxlsxwriter, constant-memory mode) renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <cstdint>
#include <memory>

namespace autoreport::render {

// Excel's limit of rows per worksheet, the header row included.
inline constexpr uint32_t excel_max_rows = 1048576;

// Options: "sheet_name" (string), "header" (boolean, default true). Rows beyond one sheet continue on
// sheets named "<name> (2)", "<name> (3)", ...
std::unique_ptr<Renderer> make_xlsx(const Options& options, Output& out);

// The same with at most rows_per_sheet data rows per worksheet (1 .. the Excel limit), so that tests
// can show the spill to further sheets without writing a million rows.
std::unique_ptr<Renderer> make_xlsx_with_row_limit(const Options& options, Output& out,
                                                   uint32_t rows_per_sheet);

} // namespace autoreport::render
