// HTML renderer: one self-contained, accessible HTML5 document.
//
// Decisions:
// - Self-contained: an inline <style> only; no script, no external resource, and a
//   Content-Security-Policy meta tag (default-src 'none') so a browser fetches nothing even if a
//   value ever slipped through escaping.
// - <html lang> from option "lang" (default "en"), checked against the shape of a BCP 47 tag
//   ([A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*), 22023 otherwise.
// - <title> and the table's <caption> carry TableInfo.title ("Report" when it is empty: an HTML
//   title must not be empty); the caption also holds the description, the parameters as a
//   "name = value" list, and the generation time in <time datetime="...">.
// - Column headers are <th scope="col">; an unnamed column is headed column_N. Numeric columns
//   (header and cells) have class="num", right-aligned with tabular figures.
// - NULL is a cell with class="null" holding the option "null" text (default ""): shown in a muted
//   italic colour, and an empty one is hatched so it reads differently from an empty string. A screen
//   reader announces an empty NULL cell as blank; set "null" to a word to have it spoken.
// - Headings are the columns' labels (define_report's `columns`), else their names humanised
//   ("order_count" → "Order count"); a heading that differs from the name keeps it in data-column.
// - Values as people read them in the "locale" option's convention (default: the session's lc_numeric
//   when autoreport knows it, else en-US; locale.hpp): numbers grouped and at the column's decimals,
//   currency and percent styles, dates in the locale's order inside <time datetime="ISO">, booleans as
//   the locale's Yes and No; bytea is base64; everything else is Cell::text. Every text (values, names,
//   title, parameters) goes through xml_escape; cells keep their line breaks (pre-wrap).
// - timestamptz values are shown in the render's time zone (option "time_zone", default the session's
//   TimeZone), which the caption names.
// - Option "totals" (default false): a totals row in <tfoot> (totals.hpp: exact sums of number columns
//   other than identifiers and percentages, or what each column's `total` says), labelled in the first
//   column without a total.
// - The row count is in <tfoot> ("1 row", "N rows").
// - Colours meet WCAG AA contrast (text at least 4.5:1 against its background).
// - Streams: the head and table header at begin(), one write per row, the rest at end().
// - Option "chart" (true, "last", "first" or false, default false): the rows are also fed to the SVG
//   renderer (make_svg with default options), which keeps what it needs; at end() its chart is written
//   in a <figure> after the table (true or "last": the table still streams) or before it ("first": the
//   table is held until the chart is drawn). An XML prolog before <svg> is dropped, as inline SVG in
//   HTML has none. An error of the chart renderer is the render's error. Option "chart_options" (an
//   object) is the chart's own options, as the svg format takes them (x, y, series, kind, scales, ...).
#include "render/html.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"
#include "render/escape.hpp"
#include "render/locale.hpp"
#include "render/presentation.hpp"
#include "render/svg.hpp"
#include "render/totals.hpp"

#include <algorithm>
#include <optional>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr std::string_view style =
    R"(body{margin:1.5rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1f24;background:#fff;line-height:1.4}
table{border-collapse:collapse;font-size:.875rem}
caption{caption-side:top;text-align:left;padding-bottom:.75rem}
caption .title{display:block;font-size:1.25rem;font-weight:600}
caption p,caption ul{margin:.25rem 0;color:#3d444d}
caption ul{padding-left:1.25rem}
caption .name{font-weight:600}
th,td{border:1px solid #afb8c1;padding:.3rem .6rem;text-align:left;vertical-align:top;white-space:pre-wrap}
thead th{background:#eaeef2}
tbody tr:nth-child(even){background:#f6f8fa}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.null{color:#57606a;font-style:italic}
td.null:empty{background:repeating-linear-gradient(135deg,transparent 0 4px,#d0d7de 4px 5px)}
tfoot td{border:none;color:#3d444d;padding-top:.5rem}
tfoot tr.totals td{border:1px solid #afb8c1;border-top:2px solid #57606a;color:#1b1f24;font-weight:600;padding:.3rem .6rem}
figure{margin:1.5rem 0}
figure svg{max-width:100%;height:auto}
figcaption{color:#3d444d}
)";

// True when tag has the shape of a BCP 47 language tag (primary subtag, then subtags).
bool is_language_tag(std::string_view tag) {
  const auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto alnum = [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); };
  size_t start = 0;
  for (size_t subtag = 0;; ++subtag) {
    size_t end = tag.find('-', start);
    if (end == std::string_view::npos) {
      end = tag.size();
    }
    const std::string_view part = tag.substr(start, end - start);
    const size_t min_length = subtag == 0 ? 2 : 1;
    if (part.size() < min_length || part.size() > 8) {
      return false;
    }
    for (char c : part) {
      if (!(subtag == 0 ? alpha(c) : alnum(c))) {
        return false;
      }
    }
    if (end == tag.size()) {
      return true;
    }
    start = end + 1;
  }
}

// True when text has nothing but spaces (an empty <title> is not valid HTML).
bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

class HtmlRenderer final : public Renderer {
public:
  // Reads and checks the options, so that a bad one fails before any output.
  HtmlRenderer(const Options& options, Output& out) : out_(out) {
    options.allow_only("html", {"lang", "null", "chart", "chart_options", "locale", "totals"});
    locale_option_ = locale_option(options);
    lang_ = options.text("lang", locale_option_ != nullptr ? locale_option_->tag : "en");
    if (!is_language_tag(lang_)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"lang\" must be a language tag such as \"en\" or \"pt-BR\"")
          .with_detail("It was \"" + lang_ + "\".")
          .with_hint("Use a BCP 47 tag: a 2 to 8 letter language, then optional subtags of 1 to 8 letters or "
                     "digits, separated by hyphens.");
    }
    null_ = xml_escape(options.text("null", ""));
    bool chart = false;
    if (options.is_string("chart")) {
      const std::string where = options.text("chart", "");
      if (where != "first" && where != "last") {
        throw Error(sqlstate::invalid_parameter_value,
                    "option \"chart\" must be true, false, \"first\" or \"last\"")
            .with_detail("It was \"" + where + "\".");
      }
      chart = true;
      chart_first_ = where == "first";
    } else {
      chart = options.boolean("chart", false);
    }
    if (chart) {
      chart_renderer_ = make_svg(options.object("chart_options"), chart_);
    }
    with_totals_ = options.boolean("totals", false);
  }

  // Writes the head, the caption and the table header.
  void begin(const TableInfo& info) override {
    title_ = xml_escape(is_blank(info.title) ? "Report" : info.title);
    std::string s = "<!DOCTYPE html>\n<html lang=\"" + xml_escape(lang_) +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'\">\n"
                    "<meta name=\"generator\" content=\"autoreport\">\n<title>" +
                    title_ + "</title>\n<style>\n";
    s += style;
    s += "</style>\n</head>\n<body>\n<main>\n<table>\n<caption>\n<span class=\"title\">" + title_ +
         "</span>\n";
    if (!is_blank(info.description)) {
      s += "<p class=\"description\">" + xml_escape(info.description) + "</p>\n";
    }
    if (!info.parameters.empty()) {
      s += "<ul class=\"parameters\">\n";
      for (const auto& [name, value] : info.parameters) {
        s += "<li><span class=\"name\">" + xml_escape(name) + "</span> = " + xml_escape(value) + "</li>\n";
      }
      s += "</ul>\n";
    }
    if (!is_blank(info.generated_at)) {
      std::string shown = info.generated_at;
      if (const size_t t = shown.find('T'); t != std::string::npos) {
        shown[t] = ' '; // easier to read; the datetime attribute keeps ISO 8601
      }
      s += "<p class=\"generated\">Generated <time datetime=\"" + xml_escape(info.generated_at) + "\">" +
           xml_escape(shown) + "</time></p>\n";
    }
    const bool zoned = std::any_of(info.columns.begin(), info.columns.end(),
                                   [](const Column& c) { return c.kind == Kind::TimestampTz; });
    if (zoned && !is_blank(info.time_zone)) {
      s += "<p class=\"time-zone\">Times are in " + xml_escape(info.time_zone) + ".</p>\n";
    }
    s += "</caption>\n<thead>\n<tr>";
    columns_ = info.columns;
    locale_ = &resolve_locale(locale_option_, info);
    for (size_t i = 0; i < columns_.size(); ++i) {
      const Column& c = columns_[i];
      const std::string label = column_label(c, i);
      s += is_numeric(c.kind) ? "<th scope=\"col\" class=\"num\"" : "<th scope=\"col\"";
      if (label != display_name(c, i)) {
        s += " data-column=\"" + xml_escape(display_name(c, i)) + "\"";
      }
      s += ">" + xml_escape(label) + "</th>";
    }
    s += "</tr>\n</thead>\n<tbody>\n";
    if (with_totals_) {
      totals_.emplace(columns_);
    }
    write(s);
    rows_ = 0;
    if (chart_renderer_) {
      chart_renderer_->begin(info);
    }
  }

  // Writes one table row (and feeds it to the chart).
  void row(std::span<const Cell> cells) override {
    line_ = "<tr>";
    for (size_t i = 0; i < columns_.size(); ++i) {
      const Cell cell = i < cells.size() ? cells[i] : Cell{}; // a missing cell is NULL
      const Kind kind = columns_[i].kind;
      const bool numeric = is_numeric(kind);
      if (cell.is_null) {
        line_ += numeric ? "<td class=\"num null\">" : "<td class=\"null\">";
        line_ += null_;
      } else if (is_temporal(kind) && cell.finite) {
        line_ += "<td><time datetime=\"";
        append_xml_escaped(line_, cell.text);
        line_ += "\">";
        append_xml_escaped(line_, human_text(columns_[i], cell, *locale_));
        line_ += "</time>";
      } else {
        line_ += numeric ? "<td class=\"num\">" : "<td>";
        if (kind == Kind::Text || kind == Kind::Json) {
          append_xml_escaped(line_, cell.text);
        } else {
          append_xml_escaped(line_, human_text(columns_[i], cell, *locale_));
        }
      }
      line_ += "</td>";
    }
    line_ += "</tr>\n";
    write(line_);
    if (totals_) {
      totals_->add(cells);
    }
    ++rows_;
    if (chart_renderer_) {
      chart_renderer_->row(cells);
    }
  }

  // Writes the row count, the chart if asked, and closes the document.
  void end() override {
    std::string s = "</tbody>\n<tfoot>\n" + totals_row() + "<tr><td colspan=\"" +
                    std::to_string(std::max<size_t>(columns_.size(), 1)) + "\">" + std::to_string(rows_) +
                    (rows_ == 1 ? " row" : " rows") + "</td></tr>\n</tfoot>\n</table>\n";
    std::string figure;
    if (chart_renderer_) {
      chart_renderer_->end();
      const std::string& svg = chart_.data();
      const size_t start = svg.find("<svg");
      figure += "<figure class=\"chart\">\n";
      figure += std::string_view(svg).substr(start == std::string::npos ? 0 : start);
      figure += "\n<figcaption>Chart of " + title_ + "</figcaption>\n</figure>\n";
    }
    if (chart_first_) {
      // The head (up to <main>), the chart, then the table held back.
      const size_t main = held_.find("<main>\n");
      const size_t cut = main == std::string::npos ? 0 : main + 7;
      out_.write(std::string_view(held_).substr(0, cut));
      out_.write(figure);
      out_.write(std::string_view(held_).substr(cut));
      out_.write(s);
    } else {
      out_.write(s);
      out_.write(figure);
    }
    out_.write("</main>\n</body>\n</html>\n");
  }

private:
  // Writes to the output, or holds the table until the chart is drawn when it comes first.
  void write(std::string_view text) {
    if (chart_first_) {
      held_ += text;
    } else {
      out_.write(text);
    }
  }

  // The totals row (with its label), or nothing when the option is off.
  std::string totals_row() const {
    if (!totals_) {
      return "";
    }
    std::string s = "<tr class=\"totals\">";
    const std::vector<std::string> shown = totals_->shown(columns_, *locale_);
    for (size_t i = 0; i < columns_.size(); ++i) {
      const bool numeric = is_numeric(columns_[i].kind) || totals_->kind(i) == Total::count;
      s += (numeric ? "<td class=\"num\">" : "<td>") + xml_escape(shown[i]) + "</td>";
    }
    return s + "</tr>\n";
  }

  Output& out_;
  std::string lang_;
  std::string null_;  // escaped
  std::string title_; // escaped
  std::vector<Column> columns_;
  const Locale* locale_option_ = nullptr;
  const Locale* locale_ = nullptr;
  bool with_totals_ = false;
  std::optional<Totals> totals_;
  bool chart_first_ = false;
  std::string held_; // the document so far, when the chart comes first
  size_t rows_ = 0;
  std::string line_; // the row being built, reused between rows
  StringOutput chart_;
  std::unique_ptr<Renderer> chart_renderer_; // set when option "chart" is true
};

} // namespace

std::unique_ptr<Renderer> make_html(const Options& options, Output& out) {
  return std::make_unique<HtmlRenderer>(options, out);
}

} // namespace autoreport::render
