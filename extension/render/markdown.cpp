// GitHub-flavoured Markdown table renderer.
//
// Decisions:
// - A header row, the delimiter row (--- for text, ---: right-aligned for numeric columns), one line
//   per row, each line "| a | b |" ending in "\n".
// - A column without a name is headed column_N (N counted from 1): GFM needs a header cell, and a
//   reader needs something to call the column.
// - In every cell (header, values, null string): backslash and | are escaped with a backslash (| would
//   end the cell); so are ` * _ [ ] < > & ~ (except _ inside a word like order_id, which cannot
//   start emphasis), which would otherwise start code, emphasis, links, HTML,
//   entities or strikethrough, so that the text shows as written. CR LF, LF and CR become <br>, the
//   only line break a table cell can hold. Other control characters are dropped and invalid UTF-8
//   becomes U+FFFD.
// - Option "null" (default ""): the text written for NULL (escaped like any text).
// - Headings are the columns' labels, else their names humanised; values as the "locale" option writes
//   them (numbers grouped, currency and percent styles, dates in the locale's order, booleans as its Yes
//   and No; locale.hpp), bytea as base64, everything else as Cell::text.
// - Option "totals" (default false): a last line with the totals (totals.hpp), its label in bold.
// - A result without columns gives no output: a GFM table needs at least one column.
// - Streams: one write per line.
#include "render/markdown.hpp"

#include "render/column_names.hpp"
#include "render/escape.hpp"
#include "render/locale.hpp"
#include "render/presentation.hpp"
#include "render/totals.hpp"
#include "render/utf8.hpp"

#include <optional>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

// True for ASCII letters and digits.
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Appends text escaped for a GFM table cell.
void append_cell_text(std::string& out, std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b >= 0x80) {
      append_utf8(out, decode_utf8(text, pos));
      continue;
    }
    ++pos;
    switch (b) {
    case '_':
      // Between two ASCII letters or digits (snake_case) an underscore cannot start or end emphasis
      // (CommonMark 6.2), so it stays unescaped and column names stay readable in the source.
      if (pos >= 2 && pos < text.size() && is_alnum(text[pos - 2]) && is_alnum(text[pos])) {
        out += '_';
        break;
      }
      out += "\\_";
      break;
    case '\\':
    case '|':
    case '`':
    case '*':
    case '[':
    case ']':
    case '<':
    case '>':
    case '&':
    case '~':
      out += '\\';
      out += static_cast<char>(b);
      break;
    case '\r':
      if (pos < text.size() && text[pos] == '\n') {
        ++pos;
      }
      out += "<br>";
      break;
    case '\n':
      out += "<br>";
      break;
    default:
      if (b == '\t' || (b >= 0x20 && b != 0x7F)) {
        out += static_cast<char>(b);
      }
    }
  }
}

class MarkdownRenderer final : public Renderer {
public:
  // Reads and checks the options, so that a bad one fails before any output.
  MarkdownRenderer(const Options& options, Output& out) : out_(out) {
    options.allow_only("markdown", {"null", "locale", "totals"});
    null_ = options.text("null", "");
    locale_option_ = locale_option(options);
    with_totals_ = options.boolean("totals", false);
  }

  // Writes the header and delimiter rows.
  void begin(const TableInfo& info) override {
    columns_ = info.columns;
    locale_ = &resolve_locale(locale_option_, info);
    kinds_.clear();
    for (const Column& c : info.columns) {
      kinds_.push_back(c.kind);
    }
    if (kinds_.empty()) {
      return;
    }
    if (with_totals_) {
      totals_.emplace(columns_);
    }
    line_ = "|";
    for (size_t i = 0; i < info.columns.size(); ++i) {
      line_ += ' ';
      append_cell_text(line_, column_label(info.columns[i], i));
      line_ += " |";
    }
    line_ += "\n|";
    for (Kind k : kinds_) {
      line_ += is_numeric(k) ? " ---: |" : " --- |";
    }
    line_ += '\n';
    out_.write(line_);
  }

  // Writes one table line.
  void row(std::span<const Cell> cells) override {
    if (kinds_.empty()) {
      return;
    }
    line_ = "|";
    for (size_t i = 0; i < kinds_.size(); ++i) {
      const Cell cell = i < cells.size() ? cells[i] : Cell{}; // a missing cell is NULL
      line_ += ' ';
      if (cell.is_null) {
        append_cell_text(line_, null_);
      } else if (kinds_[i] == Kind::Text || kinds_[i] == Kind::Json) {
        append_cell_text(line_, cell.text);
      } else {
        append_cell_text(line_, human_text(columns_[i], cell, *locale_));
      }
      line_ += " |";
    }
    line_ += '\n';
    out_.write(line_);
    if (totals_) {
      totals_->add(cells);
    }
  }

  // The totals line, when asked; a GFM table ends with its last line.
  void end() override {
    if (!totals_) {
      return;
    }
    line_ = "|";
    for (const std::string& text : totals_->shown(columns_, *locale_)) {
      line_ += ' ';
      if (!text.empty()) {
        line_ += "**";
        append_cell_text(line_, text);
        line_ += "**";
      }
      line_ += " |";
    }
    line_ += '\n';
    out_.write(line_);
  }

private:
  Output& out_;
  std::string null_;
  std::vector<Kind> kinds_;
  std::vector<Column> columns_;
  const Locale* locale_option_ = nullptr;
  const Locale* locale_ = nullptr;
  bool with_totals_ = false;
  std::optional<Totals> totals_;
  std::string line_; // the line being built, reused between rows
};

} // namespace

std::unique_ptr<Renderer> make_markdown(const Options& options, Output& out) {
  return std::make_unique<MarkdownRenderer>(options, out);
}

} // namespace autoreport::render
