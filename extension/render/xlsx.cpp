// The XLSX renderer: an Excel workbook written by libxlsxwriter in constant-memory mode.
//
// What a user gets, and why:
// - One worksheet named after the report (or the "sheet_name" option), with a bold header row that
//   stays in view (frozen) and carries an autofilter over all rows, and columns sized from the header
//   and the first 200 rows (those rows are held back until the widths are known; the rest stream).
// - Excel holds at most 1,048,576 rows per sheet, the header included. Rows beyond that continue on
//   further sheets named "<name> (2)", "<name> (3)", ..., each with the same header, frozen row,
//   autofilter and widths: a workbook can carry every row, and silently cutting a result would lose data.
// - Numbers: Excel stores doubles and shows at most 15 significant digits, and a value typed back is
//   cut to 15 digits. So integer and numeric values with more than 15 significant digits (bigint ids,
//   numeric(30,10) amounts) are written as right-aligned text that keeps every digit; all others are
//   numbers. float4/float8 values are doubles already and are always numbers. NaN and ±Infinity, which
//   Excel has no number for, are the texts "NaN", "Infinity", "-Infinity".
// - A numeric column with a declared scale shows it, with thousands separators: numeric(14,2) shows
//   4,016.10, not 4016.1 (format #,##0.00); numeric(p,0) shows #,##0; money #,##0.00. Other numbers
//   keep Excel's General format (an id column gets no separators).
// - Dates and timestamps are Excel serial dates with the formats yyyy-mm-dd and yyyy-mm-dd hh:mm:ss.
//   Excel has no time zones: timestamptz values are written in UTC and the header says so
//   ("ordered_at (UTC)"). Values Excel cannot show (±infinity, before 1900-03-01, after 9999-12-31)
//   are their PostgreSQL text.
// - Booleans are Excel booleans; time, interval, json and every other type are their text; bytea is
//   base64 text; NULL is an empty cell. Text longer than Excel's 32,767 characters per cell is cut with
//   a visible marker.
// - libxlsxwriter 1.1.4 can only write to a named file: the workbook is assembled in a private
//   temporary file (temp_file.hpp: inside PostgreSQL, the server's own temporary directory, held
//   against temp_file_limit), streamed to the Output at end() and removed on every path, errors and
//   cancellation included.
#include "render/xlsx.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"
#include "render/escape.hpp"
#include "render/excel_date.hpp"
#include "render/excel_text.hpp"
#include "render/temp_file.hpp"
#include "render/xlsx_workbook.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr size_t layout_rows = 200; // rows looked at for column widths
constexpr size_t excel_max_columns = 16384;
constexpr size_t max_exact_digits = 15; // significant digits Excel shows and keeps
constexpr double min_width = 8;
constexpr double max_width = 60;
constexpr size_t max_base64_source = 24579; // bytes whose base64 is just over Excel's cell limit

// The Excel number format for a numeric column's declared type ("numeric(14,2)" → "#,##0.00"), or
// nothing for General.
std::optional<std::string> number_format_for(std::string_view type_name) {
  if (type_name == "money") {
    return "#,##0.00";
  }
  constexpr std::string_view prefix = "numeric(";
  if (!type_name.starts_with(prefix) || !type_name.ends_with(")")) {
    return std::nullopt;
  }
  const size_t comma = type_name.find(',');
  if (comma == std::string_view::npos) {
    return "#,##0"; // numeric(p): scale 0
  }
  int scale = 0;
  for (size_t i = comma + 1; i + 1 < type_name.size(); ++i) {
    const char ch = type_name[i];
    if (ch < '0' || ch > '9') {
      return std::nullopt; // a negative scale (PostgreSQL 15 allows it): General
    }
    scale = scale * 10 + (ch - '0');
    if (scale > 30) {
      return std::nullopt;
    }
  }
  return scale == 0 ? std::string("#,##0") : "#,##0." + std::string(static_cast<size_t>(scale), '0');
}

// Significant digits of a decimal number written as PostgreSQL does ("-0012.3400" has 4).
size_t significant_digits(std::string_view decimal) {
  size_t first = std::string_view::npos;
  size_t last = 0;
  size_t digits = 0; // digits seen so far, the point not counted
  for (char c : decimal) {
    if (c == 'e' || c == 'E') {
      break;
    }
    if (c < '0' || c > '9') {
      continue;
    }
    ++digits;
    if (c != '0') {
      first = first == std::string_view::npos ? digits : first;
      last = digits;
    }
  }
  return first == std::string_view::npos ? 0 : last - first + 1;
}

// The text Excel shows for a number it cannot hold.
std::string non_finite_text(const Cell& cell) {
  if (!cell.text.empty()) {
    return std::string(cell.text);
  }
  if (std::isnan(cell.number)) {
    return "NaN";
  }
  return cell.number > 0 ? "Infinity" : "-Infinity";
}

// A copy of a cell that outlives the row() call, for the rows held back to size the columns.
struct HeldCell {
  Cell cell;
  std::string text;
  // The cell again, its text pointing into the copy.
  Cell view() const {
    Cell c = cell;
    c.text = text;
    return c;
  }
};

// Streams rows into one or more worksheets of a workbook (see the top of this file).
class XlsxRenderer final : public Renderer {
public:
  // Reads and checks the options (unknown keys and invalid sheet names are 22023).
  XlsxRenderer(const Options& options, Output& out, uint32_t rows_per_sheet) : out_(out) {
    options.allow_only("xlsx", {"sheet_name", "header"});
    header_ = options.boolean("header", true);
    const uint32_t limit = header_ ? excel_max_rows - 1 : excel_max_rows;
    rows_per_sheet_ = std::clamp<uint32_t>(rows_per_sheet, 1, limit);
    if (options.has("sheet_name")) {
      std::string name = options.text("sheet_name", "");
      const std::string problem = sheet_name_problem(name);
      if (!problem.empty()) {
        throw Error(sqlstate::invalid_parameter_value, "invalid sheet name \"" + xml_clean_text(name) + "\"")
            .with_detail(problem)
            .with_hint("Excel sheet names have 1 to 31 characters, none of them [ ] : * ? / \\.");
      }
      sheet_name_ = std::move(name);
    }
  }

  // Checks the columns, names the sheet and opens the workbook in its temporary file.
  void begin(const TableInfo& info) override {
    if (info.columns.size() > excel_max_columns) {
      throw Error(sqlstate::program_limit_exceeded, "xlsx worksheets hold at most 16384 columns")
          .with_detail("The result has " + std::to_string(info.columns.size()) + " columns.");
    }
    for (size_t i = 0; i < info.columns.size(); ++i) {
      const Column& column = info.columns[i];
      kinds_.push_back(column.kind);
      std::string name = display_name(column, i);
      if (column.kind == Kind::TimestampTz) {
        name += " (UTC)";
      }
      headers_.push_back(excel_cell_text(name));
    }
    base_name_ = sheet_name_ ? *sheet_name_ : sheet_name_from_title(info.title);

    file_ = std::make_unique<TempFile>("autoreport-xlsx-");
    book_ = std::make_unique<XlsxWorkbook>(file_->path(), TempFile::temp_dir());
    set_properties(info);
    lxw_workbook* book = book_->get();
    bold_ = workbook_add_format(book);
    format_set_bold(bold_);
    date_ = workbook_add_format(book);
    format_set_num_format(date_, "yyyy-mm-dd");
    datetime_ = workbook_add_format(book);
    format_set_num_format(datetime_, "yyyy-mm-dd hh:mm:ss");
    exact_number_ = workbook_add_format(book);
    format_set_align(exact_number_, LXW_ALIGN_RIGHT);
    for (const Column& column : info.columns) {
      lxw_format* format = nullptr;
      if (const std::optional<std::string> code = number_format_for(column.type_name)) {
        format = workbook_add_format(book);
        format_set_num_format(format, code->c_str());
      }
      number_formats_.push_back(format);
    }
  }

  // Holds the first rows until the column widths are known, then writes every row as it comes.
  void row(std::span<const Cell> cells) override {
    if (!laid_out_ && held_.size() < layout_rows) {
      hold(cells);
      return;
    }
    if (!laid_out_) {
      lay_out();
    }
    write_row(cells);
  }

  // Finishes the last sheet, assembles the file and sends it to the output.
  void end() override {
    if (!laid_out_) {
      lay_out();
    }
    finish_sheet();
    check_temp_usage(book_->scratch_bytes());
    book_->close();
    book_.reset();
    check_temp_usage(file_->size());
    file_->copy_to(out_);
    file_.reset();
  }

private:
  // Title, subject and comments of the workbook (File > Info in Excel).
  void set_properties(const TableInfo& info) {
    title_ = xml_clean_text(info.title);
    subject_ = xml_clean_text(info.description);
    comments_ = subject_;
    if (!info.parameters.empty()) {
      comments_ += comments_.empty() ? "Parameters: " : "\nParameters: ";
      for (size_t i = 0; i < info.parameters.size(); ++i) {
        comments_ += (i == 0 ? "" : "; ") + xml_clean_text(info.parameters[i].first) + " = " +
                     xml_clean_text(info.parameters[i].second);
      }
    }
    lxw_doc_properties properties{};
    properties.title = title_.data();
    properties.subject = subject_.data();
    properties.comments = comments_.data();
    check_lxw(workbook_set_properties(book_->get(), &properties), "setting the document properties");
  }

  // Keeps a copy of a row until the column widths are known.
  void hold(std::span<const Cell> cells) {
    std::vector<HeldCell>& row = held_.emplace_back();
    row.reserve(cells.size());
    for (const Cell& cell : cells) {
      HeldCell& held = row.emplace_back();
      held.cell = cell;
      held.cell.text = {};
      held.text = cell.text;
    }
  }

  // Sizes the columns from the header and the held rows, starts the first sheet and writes the held rows.
  void lay_out() {
    widths_.assign(kinds_.size(), min_width);
    for (size_t c = 0; c < kinds_.size(); ++c) {
      double width = header_ ? static_cast<double>(text_width(headers_[c])) + 4 : 0; // bold, filter button
      if (kinds_[c] == Kind::Date) {
        width = std::max(width, 12.0);
      } else if (kinds_[c] == Kind::Timestamp || kinds_[c] == Kind::TimestampTz) {
        width = std::max(width, 20.0);
      }
      for (const std::vector<HeldCell>& row : held_) {
        if (c < row.size() && !row[c].cell.is_null) {
          width = std::max(width, static_cast<double>(content_width(kinds_[c], row[c].view())) + 2);
        }
      }
      widths_[c] = std::clamp(width, min_width, max_width);
    }
    laid_out_ = true;
    start_sheet();
    for (const std::vector<HeldCell>& row : held_) {
      std::vector<Cell> cells;
      cells.reserve(row.size());
      for (const HeldCell& held : row) {
        cells.push_back(held.view());
      }
      write_row(cells);
    }
    held_.clear();
    held_.shrink_to_fit();
  }

  // The width a value needs, in characters.
  static size_t content_width(Kind kind, const Cell& cell) {
    switch (kind) {
    case Kind::Boolean:
      return 5;
    case Kind::Integer:
      return std::to_string(cell.integer).size();
    case Kind::Float:
    case Kind::Numeric:
      // Excel's General format shows about 11 characters of a long number.
      return std::min<size_t>(cell.text.size(), 11);
    case Kind::Date:
      return cell.finite && excel_serial_from_days(cell.integer) ? 10 : cell.text.size(); // 12 with padding
    case Kind::Timestamp:
    case Kind::TimestampTz:
      return cell.finite && excel_serial_from_micros(cell.integer) ? 18 : cell.text.size(); // 20 with padding
    case Kind::Bytes:
      return (cell.text.size() + 2) / 3 * 4;
    default:
      return text_width(cell.text);
    }
  }

  // Adds the next sheet with the column widths, the header row, the frozen pane.
  void start_sheet() {
    ++sheet_count_;
    const std::string name = sheet_count_ == 1 ? base_name_ : numbered_sheet_name(base_name_, sheet_count_);
    sheet_ = book_->add_sheet(name);
    rows_in_sheet_ = 0;
    for (size_t c = 0; c < widths_.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      check_lxw(worksheet_set_column(sheet_, col, col, widths_[c], nullptr), "setting a column width");
    }
    if (!header_) {
      return;
    }
    for (size_t c = 0; c < headers_.size(); ++c) {
      check_lxw(worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(c), headers_[c].c_str(), bold_),
                "writing the header");
    }
    if (!headers_.empty()) {
      worksheet_freeze_panes(sheet_, 1, 0);
    }
  }

  // Sets the autofilter over the header and every data row of the current sheet. In constant-memory
  // mode libxlsxwriter keeps the filter range and writes it when the workbook closes, so it can be set
  // after the rows.
  void finish_sheet() {
    if (header_ && !headers_.empty()) {
      check_lxw(
          worksheet_autofilter(sheet_, 0, 0, rows_in_sheet_, static_cast<lxw_col_t>(headers_.size() - 1)),
          "setting the autofilter");
    }
  }

  // Writes one row, moving on to a new sheet when the current one is full.
  void write_row(std::span<const Cell> cells) {
    if (rows_in_sheet_ == rows_per_sheet_) {
      finish_sheet();
      start_sheet();
    }
    const lxw_row_t r = rows_in_sheet_ + (header_ ? 1 : 0);
    const size_t n = std::min(cells.size(), kinds_.size());
    for (size_t c = 0; c < n; ++c) {
      if (!cells[c].is_null) {
        write_cell(r, static_cast<lxw_col_t>(c), kinds_[c], cells[c]);
      }
    }
    ++rows_in_sheet_;
    if (++rows_since_check_ == kRowsPerUsageCheck) {
      rows_since_check_ = 0;
      check_temp_usage(book_->scratch_bytes());
    }
  }

  // Writes a number cell.
  void write_number(lxw_row_t r, lxw_col_t c, double value, lxw_format* format) {
    check_lxw(worksheet_write_number(sheet_, r, c, value, format), "writing a number");
  }

  // Writes a string cell, cleaned and cut as Excel needs (excel_cell_text).
  void write_text(lxw_row_t r, lxw_col_t c, std::string_view text, lxw_format* format = nullptr) {
    const std::string cleaned = excel_cell_text(text);
    check_lxw(worksheet_write_string(sheet_, r, c, cleaned.c_str(), format), "writing a string");
  }

  // Writes one non-NULL value as the Excel type that keeps it best (see the top of this file).
  void write_cell(lxw_row_t r, lxw_col_t c, Kind kind, const Cell& cell) {
    switch (kind) {
    case Kind::Boolean:
      check_lxw(worksheet_write_boolean(sheet_, r, c, cell.boolean ? 1 : 0, nullptr), "writing a boolean");
      return;
    case Kind::Integer: {
      const std::string digits = std::to_string(cell.integer);
      if (significant_digits(digits) <= max_exact_digits) {
        write_number(r, c, static_cast<double>(cell.integer), nullptr);
      } else {
        write_text(r, c, digits, exact_number_);
      }
      return;
    }
    case Kind::Float:
      if (cell.finite && std::isfinite(cell.number)) {
        write_number(r, c, cell.number, nullptr);
      } else {
        write_text(r, c, non_finite_text(cell));
      }
      return;
    case Kind::Numeric:
      if (!cell.finite) {
        write_text(r, c, non_finite_text(cell));
      } else if (std::isfinite(cell.number) && significant_digits(cell.text) <= max_exact_digits) {
        write_number(r, c, cell.number, number_formats_[c]);
      } else {
        write_text(r, c, cell.text, exact_number_);
      }
      return;
    case Kind::Date:
      write_temporal(r, c, cell, cell.finite ? excel_serial_from_days(cell.integer) : std::nullopt, date_);
      return;
    case Kind::Timestamp:
    case Kind::TimestampTz:
      write_temporal(r, c, cell, cell.finite ? excel_serial_from_micros(cell.integer) : std::nullopt,
                     datetime_);
      return;
    case Kind::Bytes:
      write_text(r, c, base64_encode(cell.text.substr(0, max_base64_source)));
      return;
    default:
      write_text(r, c, cell.text);
      return;
    }
  }

  // A date or timestamp as a formatted serial, or as its text when Excel cannot show it.
  void write_temporal(lxw_row_t r, lxw_col_t c, const Cell& cell, std::optional<double> serial,
                      lxw_format* format) {
    if (serial) {
      write_number(r, c, *serial, format);
    } else {
      write_text(r, c, cell.text);
    }
  }

  Output& out_;
  bool header_ = true;
  uint32_t rows_per_sheet_ = excel_max_rows - 1;
  std::optional<std::string> sheet_name_;

  std::vector<Kind> kinds_;
  std::vector<std::string> headers_;
  std::vector<double> widths_;
  std::string base_name_;
  std::string title_, subject_, comments_;

  // Declared in this order so that the workbook is released before its file is removed.
  std::unique_ptr<TempFile> file_;
  std::unique_ptr<XlsxWorkbook> book_;
  lxw_format* bold_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* datetime_ = nullptr;
  lxw_format* exact_number_ = nullptr;
  std::vector<lxw_format*> number_formats_; // per column: a numeric's declared scale, or General

  lxw_worksheet* sheet_ = nullptr;
  unsigned sheet_count_ = 0;
  uint32_t rows_in_sheet_ = 0;
  // How often the temporary files' size is held against temp_file_limit (see temp_file.hpp).
  static constexpr uint32_t kRowsPerUsageCheck = 256;
  uint32_t rows_since_check_ = 0;
  bool laid_out_ = false;
  std::vector<std::vector<HeldCell>> held_;
};

} // namespace

std::unique_ptr<Renderer> make_xlsx(const Options& options, Output& out) {
  return std::make_unique<XlsxRenderer>(options, out, excel_max_rows);
}

std::unique_ptr<Renderer> make_xlsx_with_row_limit(const Options& options, Output& out,
                                                   uint32_t rows_per_sheet) {
  return std::make_unique<XlsxRenderer>(options, out, rows_per_sheet);
}

} // namespace autoreport::render
