// Excel's rules for text: sheet names, cell strings and the column widths text needs.
//
// libxlsxwriter copies strings into the XML as they are, so a control character or invalid UTF-8
// would make a workbook Excel refuses to open; everything written goes through here first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace autoreport::render {

// Excel's limits, in UTF-16 code units as Excel counts them.
inline constexpr size_t excel_max_sheet_name = 31;
inline constexpr size_t excel_max_cell_text = 32767;

// A valid sheet name made from a report title: the characters [ ] : * ? / \ become "_", control
// characters are dropped, invalid UTF-8 becomes U+FFFD, at most 31 characters, no apostrophe or space at
// either end, "Report" when nothing is left and "History_" for "History", which Excel reserves.
std::string sheet_name_from_title(std::string_view title);

// Why name is not a valid Excel sheet name, as a sentence for an error detail; empty when it is valid.
std::string sheet_name_problem(std::string_view name);

// The name of sheet n (n >= 2) of a workbook whose first sheet is base: "base (n)", with base shortened
// so that the whole stays within 31 characters.
std::string numbered_sheet_name(std::string_view base, unsigned n);

// A cell's text as Excel must receive it: valid UTF-8, without the characters XML 1.0 forbids, a
// literal "_xHHHH_" protected from being read as Excel's escape for a character, and cut with a marker
// when it is longer than Excel's 32,767 characters per cell.
std::string excel_cell_text(std::string_view text);

// Text for document properties: valid UTF-8 without the characters XML 1.0 forbids.
std::string xml_clean_text(std::string_view text);

// The width of the widest line of text in Excel's character units (wide East Asian characters count
// 2), looking at no more than the first `limit` characters.
size_t text_width(std::string_view text, size_t limit = 256);

} // namespace autoreport::render
