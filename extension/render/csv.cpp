// CSV and TSV renderer.
//
// Decisions:
// - RFC 4180: fields separated by the delimiter, records ended by CRLF (the last one too). A field is
//   quoted when it contains the delimiter, a double quote, CR or LF, or starts or ends with a space
//   (which some readers trim); a double quote inside is doubled.
// - TSV follows the same rules with a tab delimiter, as Python's excel-tab dialect and spreadsheets
//   read it (not the IANA text/tab-separated-values rule that forbids tabs in fields).
// - Options: "header" (bool, default true) writes the column names first; "null" (string, default "")
//   is written, unquoted, for NULL; "formula_guard" (bool, default true), see below. For csv also
//   "delimiter" (one character, default ","; not a double quote, CR or LF) and "decimal" ("." or ",",
//   default "."): the decimal separator of float and numeric values, so that European Excel, which
//   reads "delimiter": ";" files, reads 4016,10 as a number. The two must differ (22023).
// - NULL and the empty string stay distinguishable, as in PostgreSQL's COPY ... CSV: a non-NULL value
//   whose text equals the null string is always quoted (so '' is written as "" by default). For that
//   to work the null string itself must not need quoting: one containing the delimiter, a double
//   quote, CR or LF is refused (22023), as COPY refuses it.
// - Formula-injection guard (OWASP "CSV Injection"): a spreadsheet runs a cell starting with = + - @
//   TAB or CR as a formula. A value of a text-like kind (everything but Integer, Float, Numeric,
//   Boolean, Date, Timestamp, TimestampTz) and every header name starting with one of those
//   characters gets a leading single quote, then is quoted as usual. Numbers are never altered
//   ("-5" stays -5), nor is the null string, which the user chose.
// - Booleans are true/false; bytea is base64 (RFC 4648, as in JSON); everything else is Cell::text.
// - Streams: one write per record.
#include "render/csv.hpp"

#include "common/error.hpp"
#include "render/escape.hpp"

#include <algorithm>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// True for kinds whose text a spreadsheet could mistake for a formula and that the guard protects.
bool guarded_kind(Kind k) {
  switch (k) {
  case Kind::Integer:
  case Kind::Float:
  case Kind::Numeric:
  case Kind::Boolean:
  case Kind::Date:
  case Kind::Timestamp:
  case Kind::TimestampTz:
    return false;
  default:
    return true;
  }
}

// True when a spreadsheet would read text as the start of a formula.
bool looks_like_formula(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  const char c = text.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

class DelimitedRenderer final : public Renderer {
public:
  // Reads and checks the options, so that a bad one fails before any output.
  DelimitedRenderer(const Options& options, Output& out, char delimiter) : out_(out), delimiter_(delimiter) {
    const std::string format = delimiter == '\t' ? "tsv" : "csv";
    if (format == "csv") {
      options.allow_only(format, {"header", "null", "formula_guard", "delimiter", "decimal"});
      const std::string d = options.text("delimiter", ",");
      if (d.size() != 1 || d[0] == '"' || d[0] == '\r' || d[0] == '\n') {
        throw Error(sqlstate::invalid_parameter_value,
                    "option \"delimiter\" must be one character other than a double quote, CR or LF")
            .with_detail("It was \"" + d + "\".");
      }
      delimiter_ = d[0];
      const std::string dec = options.text("decimal", ".");
      if (dec != "." && dec != ",") {
        throw Error(sqlstate::invalid_parameter_value, "option \"decimal\" must be \".\" or \",\"")
            .with_detail("It was \"" + dec + "\".");
      }
      decimal_ = dec[0];
      if (decimal_ == delimiter_) {
        throw Error(sqlstate::invalid_parameter_value, "options \"decimal\" and \"delimiter\" must differ")
            .with_hint("European Excel reads \"delimiter\": \";\" with \"decimal\": \",\".");
      }
    } else {
      options.allow_only(format, {"header", "null", "formula_guard"});
    }
    header_ = options.boolean("header", true);
    null_ = options.text("null", "");
    guard_ = options.boolean("formula_guard", true);
    if (needs_quotes(null_)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"null\" must not contain the delimiter, a double quote, a space at either end, "
                  "CR or LF")
          .with_detail("Format " + format +
                       " writes the null string unquoted, so it must read back as one field.");
    }
  }

  // Remembers the column kinds and writes the header record.
  void begin(const TableInfo& info) override {
    kinds_.clear();
    for (const Column& c : info.columns) {
      kinds_.push_back(c.kind);
    }
    if (!header_) {
      return;
    }
    line_.clear();
    for (size_t i = 0; i < info.columns.size(); ++i) {
      if (i > 0) {
        line_ += delimiter_;
      }
      append_field(info.columns[i].name, guard_, false);
    }
    line_ += "\r\n";
    out_.write(line_);
  }

  // Writes one record.
  void row(std::span<const Cell> cells) override {
    line_.clear();
    for (size_t i = 0; i < kinds_.size(); ++i) {
      if (i > 0) {
        line_ += delimiter_;
      }
      const Cell cell = i < cells.size() ? cells[i] : Cell{}; // a missing cell is NULL
      const Kind kind = kinds_[i];
      if (cell.is_null) {
        line_ += null_;
      } else if (kind == Kind::Boolean) {
        append_field(cell.boolean ? "true" : "false", false, true);
      } else if (kind == Kind::Bytes) {
        append_field(base64_encode(cell.text), guard_, true);
      } else if (decimal_ != '.' && (kind == Kind::Float || kind == Kind::Numeric)) {
        std::string text(cell.text);
        std::replace(text.begin(), text.end(), '.', decimal_);
        append_field(text, false, true);
      } else {
        append_field(cell.text, guard_ && guarded_kind(kind), true);
      }
    }
    line_ += "\r\n";
    out_.write(line_);
  }

  // Nothing to close: every record ended with its CRLF.
  void end() override {}

private:
  // True when text must be quoted to read back as one field equal to itself.
  bool needs_quotes(std::string_view text) const {
    if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) {
      return true;
    }
    for (char c : text) {
      if (c == delimiter_ || c == '"' || c == '\r' || c == '\n') {
        return true;
      }
    }
    return false;
  }

  // Appends text as one field: guarded against formulas if asked, quoted when needed. A value equal
  // to the null string is quoted so that it does not read back as NULL.
  void append_field(std::string_view text, bool guard, bool is_value) {
    std::string guarded;
    if (guard && looks_like_formula(text)) {
      guarded = "'";
      guarded += text;
      text = guarded;
    }
    const bool quote = needs_quotes(text) || (is_value && text == null_);
    if (!quote) {
      line_ += text;
      return;
    }
    line_ += '"';
    for (char c : text) {
      if (c == '"') {
        line_ += '"';
      }
      line_ += c;
    }
    line_ += '"';
  }

  Output& out_;
  char delimiter_;
  char decimal_ = '.';
  bool header_ = true;
  std::string null_;
  bool guard_ = true;
  std::vector<Kind> kinds_;
  std::string line_; // the record being built, reused between rows
};

} // namespace

std::unique_ptr<Renderer> make_delimited(const Options& options, Output& out, char delimiter) {
  return std::make_unique<DelimitedRenderer>(options, out, delimiter);
}

} // namespace autoreport::render
