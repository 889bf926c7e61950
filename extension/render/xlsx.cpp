// The XLSX renderer: an Excel workbook written by libxlsxwriter in constant-memory mode.
//
// What a user gets, and why:
// - One worksheet named after the report (or the "sheet_name" option), with a bold header row that
//   stays in view (frozen) and carries an autofilter over all rows, and columns sized from the header
//   and the first 200 rows (those rows are held back until the widths are known; the rest stream).
// - Excel holds at most 1,048,576 rows per sheet, the header (and the totals row) included. Rows beyond that
// continue on
//   further sheets named "<name> (2)", "<name> (3)", ..., each with the same header, frozen row,
//   autofilter and widths: a workbook can carry every row, and silently cutting a result would lose data.
// - Numbers: Excel stores doubles and shows at most 15 significant digits, and a value typed back is
//   cut to 15 digits. So integer and numeric values with more than 15 significant digits (bigint ids,
//   numeric(30,10) amounts) are written as right-aligned text that keeps every digit; all others are
//   numbers. float4/float8 values are doubles already and are always numbers. NaN and ±Infinity, which
//   Excel has no number for, are the texts "NaN", "Infinity", "-Infinity".
// - The header row shows the columns' labels (define_report's `columns`), else their names humanised
//   ("order_count" → "Order count").
// - Number formats follow the column's presentation and type: a numeric with a declared scale shows it,
//   with thousands separators (numeric(14,2) shows 4,016.10, not 4016.1: #,##0.00; numeric(p,0)
//   #,##0; money #,##0.00); format "currency" shows the currency's symbol where the locale puts it
//   ("€"#,##0.00 or #,##0.00\ "€"); "percent" 0.0% (the value is a fraction: 0.125 shows 12.5%);
//   "number" #,##0 with the column's decimals; identifier-like columns (id, *_id, year) and others keep
//   General. Excel shows the separators of the reader's own settings.
// - Dates and timestamps are Excel serial dates with the formats yyyy-mm-dd and yyyy-mm-dd hh:mm:ss
//   (in the "locale" option's order when one is given: dd.mm.yyyy for de-DE). Excel has no time zones:
//   timestamptz values are written as the wall-clock time in the render's time zone (option
//   "time_zone", default the session's TimeZone), which the parameters sheet names; the header keeps
//   the column's label. Values Excel cannot show (±infinity, before 1900-03-01, after 9999-12-31) are
//   their PostgreSQL text.
// - Option "totals" (default false): after each sheet's rows, a bold totals row of SUBTOTAL formulas
//   (SUM 109, AVERAGE 101, MIN 105, MAX 104, COUNTA 103: they follow the autofilter, leaving out
//   filtered rows) over that sheet's rows, with the computed value cached so that readers that do not
//   calculate (pandas, openpyxl) see it too; labelled with the locale's word for total in the first
//   column without a total (totals.hpp says which columns have one).
// - A second sheet, "Parameters" (option "parameters_sheet", default true), lists the report, its
//   description, each parameter and value, the generation time, the time zone and the row count.
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
#include "render/locale.hpp"
#include "render/presentation.hpp"
#include "render/temp_file.hpp"
#include "render/totals.hpp"
#include "render/xlsx_workbook.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
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

// "#,##0" with `decimals` zeros after the point.
std::string grouped_format(int decimals) {
  return decimals <= 0 ? std::string("#,##0") : "#,##0." + std::string(static_cast<size_t>(decimals), '0');
}

// The Excel number format of a number column (see the top of this file), or nothing for General.
std::optional<std::string> number_format_for(const Column& column, const Locale& locale) {
  const std::optional<int> scale = declared_scale(column.type_name);
  switch (column.style) {
  case NumberStyle::currency: {
    const int decimals = decimals_for(column);
    std::string symbol;
    for (char c : currency_symbol(column.currency)) {
      symbol += c == '"' ? "\"\"" : std::string(1, c);
    }
    const std::string number = grouped_format(decimals);
    switch (locale.currency) {
    case CurrencyPlace::before:
      return "\"" + symbol + "\"" + number;
    case CurrencyPlace::before_space:
      return "\"" + symbol + " \"" + number;
    case CurrencyPlace::after_space:
      return number + "\\ \"" + symbol + "\"";
    }
    return number;
  }
  case NumberStyle::percent: {
    const int decimals = decimals_for(column);
    return decimals == 0 ? std::string("0%") : "0." + std::string(static_cast<size_t>(decimals), '0') + "%";
  }
  case NumberStyle::number:
    if (column.decimals >= 0 || scale) {
      return grouped_format(column.decimals >= 0 ? column.decimals : *scale);
    }
    return column.kind == Kind::Integer ? std::optional<std::string>("#,##0") : std::nullopt;
  case NumberStyle::text:
    return std::nullopt;
  case NumberStyle::automatic:
    if (column.decimals >= 0) {
      return grouped_format(column.decimals);
    }
    if (identifier_like(column.name) || !scale) {
      return std::nullopt;
    }
    return grouped_format(*scale);
  }
  return std::nullopt;
}

// The SUBTOTAL function number of a total (ignoring rows hidden by the filter), 0 for none.
int subtotal_function(Total total) {
  switch (total) {
  case Total::sum:
    return 109;
  case Total::avg:
    return 101;
  case Total::min:
    return 105;
  case Total::max:
    return 104;
  case Total::count:
    return 103;
  default:
    return 0;
  }
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
    options.allow_only("xlsx", {"sheet_name", "header", "locale", "totals", "parameters_sheet"});
    header_ = options.boolean("header", true);
    locale_option_ = locale_option(options);
    with_totals_ = options.boolean("totals", false);
    parameters_sheet_ = options.boolean("parameters_sheet", true);
    // The header and the totals row take rows of their own out of Excel's limit.
    const uint32_t limit = excel_max_rows - (header_ ? 1 : 0) - (with_totals_ ? 1 : 0);
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
    info_ = info;
    columns_ = info.columns;
    const Locale& locale = resolve_locale(locale_option_, info);
    total_word_ = std::string(locale.total);
    for (size_t i = 0; i < info.columns.size(); ++i) {
      const Column& column = info.columns[i];
      kinds_.push_back(column.kind);
      headers_.push_back(excel_cell_text(column_label(column, i)));
    }
    base_name_ = sheet_name_ ? *sheet_name_ : sheet_name_from_title(info.title);

    file_ = std::make_unique<TempFile>("autoreport-xlsx-");
    book_ = std::make_unique<XlsxWorkbook>(file_->path(), TempFile::temp_dir());
    set_properties(info);
    lxw_workbook* book = book_->get();
    bold_ = workbook_add_format(book);
    format_set_bold(bold_);
    // Dates in ISO order unless a locale is asked for (the reader's Excel does not reorder them).
    const std::string date_format = locale_option_ != nullptr ? std::string(locale.excel_date) : "yyyy-mm-dd";
    date_ = workbook_add_format(book);
    format_set_num_format(date_, date_format.c_str());
    datetime_ = workbook_add_format(book);
    format_set_num_format(datetime_, (date_format + " hh:mm:ss").c_str());
    exact_number_ = workbook_add_format(book);
    format_set_align(exact_number_, LXW_ALIGN_RIGHT);
    for (const Column& column : info.columns) {
      lxw_format* format = nullptr;
      lxw_format* total = nullptr;
      const std::optional<std::string> code =
          is_numeric(column.kind) ? number_format_for(column, locale) : std::nullopt;
      if (code) {
        format = workbook_add_format(book);
        format_set_num_format(format, code->c_str());
      }
      if (with_totals_) {
        total = workbook_add_format(book);
        format_set_bold(total);
        format_set_top(total, LXW_BORDER_THIN);
        if (code && effective_total(column) != Total::count) {
          format_set_num_format(total, code->c_str());
        }
      }
      number_formats_.push_back(format);
      total_formats_.push_back(total);
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
    if (parameters_sheet_) {
      write_parameters_sheet();
    }
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
    sheet_names_.push_back(name);
    rows_in_sheet_ = 0;
    if (with_totals_) {
      totals_.emplace(columns_);
    }
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
    if (totals_) {
      write_totals();
    }
  }

  // The totals row under the current sheet's rows (see the top of this file).
  void write_totals() {
    const lxw_row_t first = header_ ? 1 : 0;
    const lxw_row_t r = first + rows_in_sheet_;
    const std::optional<size_t> label = totals_->label_column();
    for (size_t c = 0; c < columns_.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const int function = rows_in_sheet_ == 0 ? 0 : subtotal_function(totals_->kind(c));
      if (function == 0) {
        if (label && *label == c) {
          write_text(r, col, total_word_, total_formats_[c]);
        } else {
          check_lxw(worksheet_write_blank(sheet_, r, col, total_formats_[c]), "writing the totals row");
        }
        continue;
      }
      char range[32];
      lxw_rowcol_to_range(range, first, col, r - 1, col);
      const std::string formula = "=SUBTOTAL(" + std::to_string(function) + "," + range + ")";
      const std::optional<std::string> value = totals_->value(c);
      const double cached = value ? std::strtod(value->c_str(), nullptr) : 0;
      check_lxw(worksheet_write_formula_num(sheet_, r, col, formula.c_str(), total_formats_[c],
                                            std::isfinite(cached) ? cached : 0),
                "writing the totals row");
    }
  }

  // The sheet that says what the workbook holds: the report, its parameters, when, in which zone.
  void write_parameters_sheet() {
    // Excel (and libxlsxwriter) compare sheet names without regard to case: a report sheet called
    // "parameters" takes the name too.
    const auto same_name = [](std::string_view a, std::string_view b) {
      return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
      });
    };
    std::string name = "Parameters";
    while (std::any_of(sheet_names_.begin(), sheet_names_.end(),
                       [&](const std::string& taken) { return same_name(taken, name); })) {
      name = "Report " + name;
    }
    lxw_worksheet* sheet = book_->add_sheet(name);
    std::vector<std::pair<std::string, std::string>> rows = {{"Report", info_.title}};
    if (!info_.description.empty()) {
      rows.emplace_back("Description", info_.description);
    }
    for (const auto& [param, value] : info_.parameters) {
      rows.emplace_back(param, value);
    }
    rows.emplace_back("Generated at", info_.generated_at);
    if (!info_.time_zone.empty()) {
      rows.emplace_back("Time zone", info_.time_zone);
    }
    rows.emplace_back("Rows", std::to_string(rows_total_));
    check_lxw(worksheet_set_column(sheet, 0, 0, 24, nullptr), "setting a column width");
    check_lxw(worksheet_set_column(sheet, 1, 1, 60, nullptr), "setting a column width");
    check_lxw(worksheet_write_string(sheet, 0, 0, "Name", bold_), "writing the parameters");
    check_lxw(worksheet_write_string(sheet, 0, 1, "Value", bold_), "writing the parameters");
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto r = static_cast<lxw_row_t>(i + 1);
      check_lxw(worksheet_write_string(sheet, r, 0, excel_cell_text(rows[i].first).c_str(), nullptr),
                "writing the parameters");
      check_lxw(worksheet_write_string(sheet, r, 1, excel_cell_text(rows[i].second).c_str(), nullptr),
                "writing the parameters");
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
    if (totals_) {
      totals_->add(cells);
    }
    ++rows_in_sheet_;
    ++rows_total_;
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
        write_number(r, c, static_cast<double>(cell.integer), number_formats_[c]);
      } else {
        write_text(r, c, digits, exact_number_);
      }
      return;
    }
    case Kind::Float:
      if (cell.finite && std::isfinite(cell.number)) {
        write_number(r, c, cell.number, number_formats_[c]);
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
      write_temporal(r, c, cell, cell.finite ? excel_serial_from_micros(cell.integer) : std::nullopt,
                     datetime_);
      return;
    case Kind::TimestampTz: {
      // The wall-clock time in the render's zone.
      const int64_t local = cell.integer + static_cast<int64_t>(cell.utc_offset) * 1000000;
      write_temporal(r, c, cell, cell.finite ? excel_serial_from_micros(local) : std::nullopt, datetime_);
      return;
    }
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

  const Locale* locale_option_ = nullptr;
  bool with_totals_ = false;
  bool parameters_sheet_ = true;
  TableInfo info_;
  std::vector<Column> columns_;
  std::string total_word_;
  std::optional<Totals> totals_; // the current sheet's
  std::vector<std::string> sheet_names_;
  uint64_t rows_total_ = 0;

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
  std::vector<lxw_format*> number_formats_; // per column: see number_format_for(), or General
  std::vector<lxw_format*> total_formats_;  // per column: its totals cell's (bold, a top border)

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
