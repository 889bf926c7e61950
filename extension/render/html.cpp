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
// - Booleans are true/false; bytea is base64; everything else is Cell::text. Every text (values,
//   names, title, parameters) goes through xml_escape; cells keep their line breaks (pre-wrap).
// - The row count is in <tfoot> ("1 row", "N rows").
// - Colours meet WCAG AA contrast (text at least 4.5:1 against its background).
// - Streams: the head and table header at begin(), one write per row, the rest at end().
// - Option "chart" (bool, default false): the rows are also fed to the SVG renderer (make_svg with
//   default options), which keeps what it needs; at end() its chart is written in a <figure> after
//   the table (after, so the table still streams). An XML prolog before <svg> is dropped, as inline
//   SVG in HTML has none. An error of the chart renderer is the render's error.
#include "render/html.hpp"

#include "common/error.hpp"
#include "render/column_names.hpp"
#include "render/escape.hpp"
#include "render/svg.hpp"

#include <algorithm>

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
    options.allow_only("html", {"lang", "null", "chart"});
    lang_ = options.text("lang", "en");
    if (!is_language_tag(lang_)) {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"lang\" must be a language tag such as \"en\" or \"pt-BR\"")
          .with_detail("It was \"" + lang_ + "\".")
          .with_hint("Use a BCP 47 tag: a 2 to 8 letter language, then optional subtags of 1 to 8 letters or "
                     "digits, separated by hyphens.");
    }
    null_ = xml_escape(options.text("null", ""));
    if (options.boolean("chart", false)) {
      chart_renderer_ = make_svg(Options{}, chart_);
    }
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
    s += "</caption>\n<thead>\n<tr>";
    kinds_.clear();
    for (size_t i = 0; i < info.columns.size(); ++i) {
      const Column& c = info.columns[i];
      kinds_.push_back(c.kind);
      s += is_numeric(c.kind) ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">";
      s += xml_escape(display_name(c, i)) + "</th>";
    }
    s += "</tr>\n</thead>\n<tbody>\n";
    out_.write(s);
    rows_ = 0;
    if (chart_renderer_) {
      chart_renderer_->begin(info);
    }
  }

  // Writes one table row (and feeds it to the chart).
  void row(std::span<const Cell> cells) override {
    line_ = "<tr>";
    for (size_t i = 0; i < kinds_.size(); ++i) {
      const Cell cell = i < cells.size() ? cells[i] : Cell{}; // a missing cell is NULL
      const bool numeric = is_numeric(kinds_[i]);
      if (cell.is_null) {
        line_ += numeric ? "<td class=\"num null\">" : "<td class=\"null\">";
        line_ += null_;
      } else {
        line_ += numeric ? "<td class=\"num\">" : "<td>";
        if (kinds_[i] == Kind::Boolean) {
          line_ += cell.boolean ? "true" : "false";
        } else if (kinds_[i] == Kind::Bytes) {
          line_ += base64_encode(cell.text);
        } else {
          append_xml_escaped(line_, cell.text);
        }
      }
      line_ += "</td>";
    }
    line_ += "</tr>\n";
    out_.write(line_);
    ++rows_;
    if (chart_renderer_) {
      chart_renderer_->row(cells);
    }
  }

  // Writes the row count, the chart if asked, and closes the document.
  void end() override {
    std::string s = "</tbody>\n<tfoot>\n<tr><td colspan=\"" +
                    std::to_string(std::max<size_t>(kinds_.size(), 1)) + "\">" + std::to_string(rows_) +
                    (rows_ == 1 ? " row" : " rows") + "</td></tr>\n</tfoot>\n</table>\n";
    if (chart_renderer_) {
      chart_renderer_->end();
      const std::string& svg = chart_.data();
      const size_t start = svg.find("<svg");
      s += "<figure class=\"chart\">\n";
      s += std::string_view(svg).substr(start == std::string::npos ? 0 : start);
      s += "\n<figcaption>Chart of " + title_ + "</figcaption>\n</figure>\n";
    }
    s += "</main>\n</body>\n</html>\n";
    out_.write(s);
  }

private:
  Output& out_;
  std::string lang_;
  std::string null_;  // escaped
  std::string title_; // escaped
  std::vector<Kind> kinds_;
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
