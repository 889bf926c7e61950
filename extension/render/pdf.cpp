// The PDF renderer (see pdf.hpp).
//
// What a reader gets, and why:
// - Page 1 starts with the title (the report's name humanised, or option "title"), its description,
//   the parameters used ("name = value"), the generation time and, when the result has timestamptz
//   columns, the zone their times are in. Then the chart, when there is one: the SVG renderer's own
//   chart drawn by librsvg, so it is the same chart the SVG, HTML and PNG formats show ("chart_options":
//   the svg format's options, such as x, y, series, kind). Then the table.
// - The table: a bold header row repeated at the top of every page, numbers right-aligned, every
//   value as the locale writes it (locale.hpp: the "locale" option, default the session's lc_numeric
//   when known, else en-US), column headings from the labels (define_report's `columns`) or the names
//   humanised, light stripes, and with option "totals" a bold totals row (totals.hpp) at the end.
// - Widths come from the header and the first 500 rows. A table wider than the page turns the page
//   to landscape (orientation "auto"), then uses a smaller font (down to 6 pt), then wraps the text
//   columns (at most 6 lines a cell, the rest cut with "…"). Numbers and dates never wrap.
// - Every page has a footer: the title on the left, "Page N of M" on the right. M is known because the
//   rows are held and the pages laid out before anything is drawn; a PDF therefore holds at most
//   pdf_max_rows rows (54000 beyond: aggregate, or use xlsx or csv).
// - Fonts: DejaVu Sans (Debian's fonts-dejavu-core) through fontconfig; text that is not valid UTF-8
//   has U+FFFD for its bad bytes; control characters other than line breaks and tabs are dropped.
// - The document's title, subject and creation date (the generation time) are set, so that the same
//   result rendered at the same time gives the same bytes.
#include "render/pdf.hpp"

#include "common/error.hpp"
#include "common/runtime.hpp"
#include "render/chart.hpp"
#include "render/locale.hpp"
#include "render/presentation.hpp"
#include "render/svg.hpp"
#include "render/svg_raster.hpp"
#include "render/totals.hpp"
#include "render/utf8.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

constexpr double margin = 36;     // half an inch
constexpr double body_size = 8.5; // points
constexpr double min_body_size = 6;
constexpr double cell_pad_x = 4;
constexpr double cell_pad_y = 2.5;
constexpr double max_natural_width = 220; // a column wider than this wraps
constexpr double min_wrapped_width = 40;
constexpr int max_cell_lines = 6;
constexpr size_t layout_rows = 500;
constexpr double footer_gap = 14;
// Laying out and drawing a long table takes seconds: a cancel or statement_timeout is honoured every
// this many rows (and every page).
constexpr size_t kRowsPerInterruptCheck = 256;

struct PageSize {
  std::string_view name;
  double width, height; // portrait, in points
};
constexpr PageSize kPages[] = {{"A4", 595.276, 841.89}, {"letter", 612, 792}, {"legal", 612, 1008}};

struct Deleters {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(PangoLayout* l) const { g_object_unref(l); }
  void operator()(PangoFontDescription* f) const { pango_font_description_free(f); }
};
template <typename T> using Owned = std::unique_ptr<T, Deleters>;

// Text as pango needs it: valid UTF-8, no control characters but line breaks and tabs.
std::string clean(std::string_view text) {
  std::string out;
  const std::string valid = repair_utf8(text);
  out.reserve(valid.size());
  for (char c : valid) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 || c == '\n' || c == '\t') {
      out.push_back(b == 0x7F ? ' ' : c);
    } else if (c == '\r') {
      out.push_back('\n');
    }
  }
  return out;
}

Owned<PangoFontDescription> font(double size, bool bold) {
  Owned<PangoFontDescription> f(pango_font_description_from_string("DejaVu Sans"));
  pango_font_description_set_absolute_size(f.get(), size * PANGO_SCALE);
  pango_font_description_set_weight(f.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return f;
}

// One drawn line of the table: its cells' texts and its height.
struct Line {
  std::vector<std::string> cells;
  double height = 0;
};

class PdfRenderer final : public Renderer {
public:
  PdfRenderer(const Options& options, Output& out) : out_(out) {
    options.allow_only("pdf", {"locale", "totals", "chart", "chart_options", "page", "orientation", "title"});
    chart_options_ = options.object("chart_options");
    (void)make_svg(chart_options_, chart_svg_); // a bad chart option fails before any work
    locale_option_ = locale_option(options);
    with_totals_ = options.boolean("totals", false);
    if (options.has("chart")) {
      chart_ = options.boolean("chart", true);
    }
    if (options.has("page")) {
      const std::string page = options.text("page", "");
      for (const PageSize& p : kPages) {
        if (std::equal(page.begin(), page.end(), p.name.begin(), p.name.end(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
          page_ = &p;
        }
      }
      if (page_ == nullptr) {
        throw Error(sqlstate::invalid_parameter_value,
                    "option \"page\" must be \"A4\", \"letter\" or \"legal\"")
            .with_detail("It was \"" + page + "\".");
      }
    }
    orientation_ = options.text("orientation", "auto");
    if (orientation_ != "auto" && orientation_ != "portrait" && orientation_ != "landscape") {
      throw Error(sqlstate::invalid_parameter_value,
                  "option \"orientation\" must be \"portrait\", \"landscape\" or \"auto\"")
          .with_detail("It was \"" + orientation_ + "\".");
    }
    if (options.has("title")) {
      title_ = options.text("title", "");
    }
  }

  void begin(const TableInfo& info) override {
    info_ = info;
    locale_ = &resolve_locale(locale_option_, info);
    if (page_ == nullptr) {
      page_ = locale_->tag == "en-US" ? &kPages[1] : &kPages[0];
    }
    if (!title_) {
      title_ = info.title.empty() ? std::string("Report") : humanise(info.title);
    }
    if (with_totals_) {
      totals_.emplace(info.columns);
    }
    header_.reserve(info.columns.size());
    for (size_t i = 0; i < info.columns.size(); ++i) {
      header_.push_back(clean(column_label(info.columns[i], i)));
    }
    if (chart_.value_or(true) && !info.columns.empty()) {
      svg_ = make_svg(chart_options_, chart_svg_);
      try {
        svg_->begin(info);
      } catch (const Error&) {
        if (chart_.value_or(false)) {
          throw; // asked for a chart of a result that has none: say why
        }
        svg_.reset();
      }
    }
  }

  void row(std::span<const Cell> cells) override {
    if (rows_.size() == pdf_max_rows) {
      throw Error(sqlstate::program_limit_exceeded,
                  "a PDF holds at most " + std::to_string(pdf_max_rows) + " rows")
          .with_hint("Aggregate the result, or render it as xlsx or csv.");
    }
    std::vector<std::string>& texts = rows_.emplace_back();
    texts.reserve(info_.columns.size());
    for (size_t i = 0; i < info_.columns.size(); ++i) {
      const Cell cell = i < cells.size() ? cells[i] : Cell{};
      texts.push_back(cell.is_null ? std::string() : clean(human_text(info_.columns[i], cell, *locale_)));
    }
    if (totals_) {
      totals_->add(cells);
    }
    if (svg_) {
      svg_->row(cells);
    }
  }

  void end() override {
    // Left to itself (no "chart" option), the PDF has a chart of a time series, or of at most
    // chart_max_categories bars: a chart of the first 50 of 10,000 rows would mislead.
    if (svg_ && !chart_ && !is_temporal(info_.columns[0].kind) && rows_.size() > chart_max_categories) {
      svg_.reset();
    }
    if (svg_) {
      svg_->end();
    }
    sink_.out = &out_;
    try {
      surface_.reset(
          cairo_pdf_surface_create_for_stream(&CairoSink::write, &sink_, page_->width, page_->height));
      set_metadata();
      cr_.reset(cairo_create(surface_.get()));
      layout_.reset(pango_cairo_create_layout(cr_.get()));
      choose_layout();
      cairo_pdf_surface_set_size(surface_.get(), page_w_, page_h_);
      paginate();
      draw();
    } catch (...) {
      // A cancel, a timeout or a failed chart: cairo must not write the rest of the document when the
      // surface is released (the sink refuses once it holds an error).
      if (!sink_.error) {
        sink_.error = std::current_exception();
      }
      throw;
    }
    cell_layouts_.clear();
    bold_layouts_.clear();
    layout_.reset();
    cr_.reset();
    cairo_surface_finish(surface_.get());
    const cairo_status_t status = cairo_surface_status(surface_.get());
    surface_.reset();
    sink_.check(status, "writing the PDF");
  }

private:
  bool numeric_column(size_t c) const { return is_numeric(info_.columns[c].kind); }
  bool wrappable(size_t c) const {
    const Kind k = info_.columns[c].kind;
    return k == Kind::Text || k == Kind::Json || k == Kind::Bytes || k == Kind::Interval;
  }

  void set_metadata() {
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, title_->c_str());
    if (!info_.description.empty()) {
      cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_SUBJECT,
                                     clean(info_.description).c_str());
    }
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "autoreport");
    if (info_.generated_at.size() >= 19) {
      cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                     info_.generated_at.c_str());
    }
  }

  // Width of text in the given font (one line, no wrapping).
  double text_width(std::string_view text, const PangoFontDescription* f) {
    pango_layout_set_width(layout_.get(), -1);
    pango_layout_set_font_description(layout_.get(), f);
    pango_layout_set_text(layout_.get(), text.data(), static_cast<int>(text.size()));
    int w = 0, h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }

  // Page orientation, font size and column widths (see the top of this file).
  void choose_layout() {
    const size_t n = header_.size();
    const Owned<PangoFontDescription> regular = font(body_size, false);
    const Owned<PangoFontDescription> bold = font(body_size, true);
    std::vector<double> natural(n, 0);
    for (size_t c = 0; c < n; ++c) {
      natural[c] = text_width(header_[c], bold.get());
      // The first rows, and the longest text of all (numbers and dates must never be cut).
      size_t longest = 0;
      for (size_t r = 0; r < rows_.size(); ++r) {
        if (r % kRowsPerInterruptCheck == 0) {
          check_interrupts();
        }
        if (r < layout_rows) {
          natural[c] = std::max(natural[c], text_width(rows_[r][c], regular.get()));
        }
        longest = rows_[r][c].size() > rows_[longest][c].size() ? r : longest;
      }
      if (!rows_.empty()) {
        natural[c] = std::max(natural[c], text_width(rows_[longest][c], regular.get()));
      }
      natural[c] = std::min(natural[c], max_natural_width) + 2 * cell_pad_x;
    }
    if (totals_) {
      totals_text_ = totals_->shown(info_.columns, *locale_);
      for (size_t c = 0; c < n; ++c) {
        natural[c] =
            std::max(natural[c],
                     std::min(text_width(totals_text_[c], bold.get()), max_natural_width) + 2 * cell_pad_x);
      }
    }
    double sum = 0;
    for (double w : natural) {
      sum += w;
    }
    const bool landscape =
        orientation_ == "landscape" || (orientation_ == "auto" && sum > page_->width - 2 * margin);
    page_w_ = landscape ? page_->height : page_->width;
    page_h_ = landscape ? page_->width : page_->height;
    const double avail = page_w_ - 2 * margin;
    font_size_ = body_size;
    widths_ = natural;
    if (sum > avail) {
      const double f = std::max(min_body_size / body_size, avail / sum);
      font_size_ = body_size * f;
      for (double& w : widths_) {
        w *= f;
      }
      sum *= f;
    }
    wraps_.assign(n, false);
    if (sum > avail) {
      // Take the excess from the text columns, in proportion to their widths.
      double wrappable_sum = 0;
      for (size_t c = 0; c < n; ++c) {
        wrappable_sum += wrappable(c) ? widths_[c] : 0;
      }
      const double excess = sum - avail;
      for (size_t c = 0; c < n && wrappable_sum > 0; ++c) {
        if (wrappable(c)) {
          const double cut = std::min(excess * widths_[c] / wrappable_sum, widths_[c] - min_wrapped_width);
          if (cut > 0) {
            widths_[c] -= cut;
            sum -= cut;
            wraps_[c] = true;
          }
        }
      }
    }
    if (sum > avail) {
      // Still too wide: every column shares the width (values are cut with "…").
      for (size_t c = 0; c < n; ++c) {
        widths_[c] *= avail / sum;
        wraps_[c] = wrappable(c);
      }
    }
    for (size_t c = 0; c < n; ++c) {
      wraps_[c] = wraps_[c] || (wrappable(c) && natural[c] > widths_[c] + 0.5);
    }
    regular_ = font(font_size_, false);
    bold_ = font(font_size_, true);
    line_height_ = std::ceil(font_size_ * 1.2) + 2 * cell_pad_y;
    make_cell_layouts();
  }

  // One layout per column and weight, set up once (width, alignment, wrapping): a cell only sets its
  // text, which keeps pango from redoing the setup for each of a large table's cells.
  void make_cell_layouts() {
    for (int bold = 0; bold < 2; ++bold) {
      for (size_t c = 0; c < widths_.size(); ++c) {
        Owned<PangoLayout> l(pango_cairo_create_layout(cr_.get()));
        pango_layout_set_font_description(l.get(), bold != 0 ? bold_.get() : regular_.get());
        pango_layout_set_width(l.get(), static_cast<int>((widths_[c] - 2 * cell_pad_x) * PANGO_SCALE));
        pango_layout_set_alignment(l.get(), numeric_column(c) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        if (wraps_[c]) {
          pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
          pango_layout_set_height(l.get(), -max_cell_lines);
        } else {
          pango_layout_set_height(l.get(), -1);
        }
        pango_layout_set_ellipsize(l.get(), PANGO_ELLIPSIZE_END);
        (bold != 0 ? bold_layouts_ : cell_layouts_).push_back(std::move(l));
      }
    }
  }

  // The layout of a cell of column c holding text.
  PangoLayout* set_cell(size_t c, std::string_view text, bool bold) {
    PangoLayout* l = (bold ? bold_layouts_ : cell_layouts_)[c].get();
    pango_layout_set_text(l, text.data(), static_cast<int>(text.size()));
    return l;
  }

  // The height of a table line with these cells.
  double line_height(const std::vector<std::string>& cells, bool bold) {
    double h = line_height_;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!wraps_[c] && cells[c].find('\n') == std::string::npos) {
        continue;
      }
      int w = 0, ph = 0;
      pango_layout_get_size(set_cell(c, cells[c], bold), &w, &ph);
      h = std::max(h, static_cast<double>(ph) / PANGO_SCALE + 2 * cell_pad_y);
    }
    return h;
  }

  // The block above the table on page 1: title, description, parameters, generation time.
  std::vector<std::pair<std::string, Owned<PangoFontDescription>>> heading() const {
    std::vector<std::pair<std::string, Owned<PangoFontDescription>>> out;
    out.emplace_back(clean(*title_), font(16, true));
    if (!info_.description.empty()) {
      out.emplace_back(clean(info_.description), font(9, false));
    }
    if (!info_.parameters.empty()) {
      std::string params;
      for (const auto& [name, value] : info_.parameters) {
        params += (params.empty() ? "" : "   ") + name + " = " + value;
      }
      out.emplace_back(clean(params), font(8, false));
    }
    // "2026-03-01T09:30:00.123456+01:00" is shown "2026-03-01 09:30:00 +01:00".
    const std::string& at = info_.generated_at;
    std::string when = at;
    if (at.size() >= 19 && at[10] == 'T') {
      const size_t zone = at.find_first_of("+-Z", 19);
      when = at.substr(0, 10) + " " + at.substr(11, 8) +
             (zone == std::string::npos ? "" : " " + at.substr(zone));
    }
    std::string generated = "Generated " + when;
    const bool zoned = std::any_of(info_.columns.begin(), info_.columns.end(),
                                   [](const Column& c) { return c.kind == Kind::TimestampTz; });
    if (zoned && !info_.time_zone.empty()) {
      generated += " · times in " + info_.time_zone;
    }
    out.emplace_back(clean(generated), font(8, false));
    return out;
  }

  // Draws (or, with draw false, measures) the heading at the top of page 1; returns its height.
  double heading_block(bool draw) {
    double y = margin;
    PangoLayout* l = layout_.get();
    for (const auto& [text, f] : heading()) {
      pango_layout_set_font_description(l, f.get());
      pango_layout_set_width(l, static_cast<int>((page_w_ - 2 * margin) * PANGO_SCALE));
      pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height(l, -4);
      pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment(l, PANGO_ALIGN_LEFT);
      pango_layout_set_text(l, text.data(), static_cast<int>(text.size()));
      int w = 0, h = 0;
      pango_layout_get_size(l, &w, &h);
      if (draw) {
        cairo_set_source_rgb(cr_.get(), 0.11, 0.12, 0.14);
        cairo_move_to(cr_.get(), margin, y);
        pango_cairo_show_layout(cr_.get(), l);
      }
      y += static_cast<double>(h) / PANGO_SCALE + 3;
    }
    return y - margin + 8;
  }

  // Lays the rows out on pages: page_starts_[p] is the first row of page p.
  void paginate() {
    const double bottom = page_h_ - margin - footer_gap;
    header_height_ = line_height(header_, true);
    double y = margin + heading_block(false);
    if (svg_) {
      const SvgSize size = svg_size(chart_svg_.data());
      chart_width_ = std::min(page_w_ - 2 * margin, size.width);
      chart_height_ = chart_width_ * size.height / size.width;
      const double max_chart = (page_h_ - 2 * margin) * 0.5;
      if (chart_height_ > max_chart) {
        chart_width_ *= max_chart / chart_height_;
        chart_height_ = max_chart;
      }
      y += chart_height_ + 10;
    }
    first_table_y_ = y;
    heights_.clear();
    heights_.reserve(rows_.size());
    for (const std::vector<std::string>& r : rows_) {
      if (heights_.size() % kRowsPerInterruptCheck == 0) {
        check_interrupts();
      }
      heights_.push_back(line_height(r, false));
    }
    totals_height_ = totals_ ? line_height(totals_text_, true) : 0;
    page_starts_ = {0};
    y += header_height_;
    for (size_t r = 0; r <= rows_.size(); ++r) {
      const double h = r < rows_.size() ? heights_[r] : totals_height_;
      if (y + h > bottom && !(r == page_starts_.back() && y == margin + header_height_)) {
        page_starts_.push_back(r);
        y = margin + header_height_;
      }
      y += h;
    }
  }

  // One line of the table at y: a header (shaded, bold), a row (striped when `stripe`) or the totals
  // (bold, a rule above).
  enum class LineKind { header, row, totals };
  void draw_line(const std::vector<std::string>& cells, double y, double h, LineKind kind, bool stripe) {
    cairo_t* cr = cr_.get();
    const double width = table_width();
    if (kind == LineKind::header || stripe) {
      if (kind == LineKind::header) {
        cairo_set_source_rgb(cr, 0.918, 0.933, 0.949);
      } else {
        cairo_set_source_rgb(cr, 0.965, 0.973, 0.98);
      }
      cairo_rectangle(cr, margin, y, width, h);
      cairo_fill(cr);
    }
    if (kind != LineKind::row) {
      cairo_set_source_rgb(cr, 0.34, 0.38, 0.42);
      cairo_set_line_width(cr, kind == LineKind::totals ? 1 : 0.6);
      const double rule = kind == LineKind::totals ? y : y + h;
      cairo_move_to(cr, margin, rule);
      cairo_line_to(cr, margin + width, rule);
      cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0.11, 0.12, 0.14);
    double x = margin;
    for (size_t c = 0; c < cells.size() && c < widths_.size(); ++c) {
      if (!cells[c].empty()) {
        PangoLayout* l = set_cell(c, cells[c], kind != LineKind::row);
        cairo_move_to(cr, x + cell_pad_x, y + cell_pad_y);
        pango_cairo_show_layout(cr, l);
      }
      x += widths_[c];
    }
  }

  // The footer of page `page` (from 1) of `pages`.
  void draw_footer(size_t page, size_t pages) {
    cairo_t* cr = cr_.get();
    PangoLayout* l = layout_.get();
    const Owned<PangoFontDescription> f = font(7.5, false);
    const double y = page_h_ - margin - 9;
    const double half = (page_w_ - 2 * margin) / 2;
    cairo_set_source_rgb(cr, 0.33, 0.33, 0.33);
    pango_layout_set_font_description(l, f.get());
    pango_layout_set_height(l, -1);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_width(l, static_cast<int>(half * PANGO_SCALE));
    pango_layout_set_alignment(l, PANGO_ALIGN_LEFT);
    const std::string title = clean(*title_);
    pango_layout_set_text(l, title.data(), static_cast<int>(title.size()));
    cairo_move_to(cr, margin, y);
    pango_cairo_show_layout(cr, l);
    const std::string number = "Page " + std::to_string(page) + " of " + std::to_string(pages);
    pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(l, number.data(), static_cast<int>(number.size()));
    cairo_move_to(cr, margin + half, y);
    pango_cairo_show_layout(cr, l);
  }

  // Draws every page as paginate() laid them out.
  void draw() {
    const size_t pages = page_starts_.size();
    for (size_t p = 0; p < pages; ++p) {
      double y = margin;
      if (p == 0) {
        y += heading_block(true);
        if (svg_) {
          draw_svg(cr_.get(), chart_svg_.data(), margin, y, chart_width_);
        }
        y = first_table_y_;
      }
      draw_line(header_, y, header_height_, LineKind::header, false);
      y += header_height_;
      const size_t end = p + 1 < pages ? page_starts_[p + 1] : rows_.size() + 1;
      check_interrupts();
      for (size_t r = page_starts_[p]; r < end; ++r) {
        if (r < rows_.size()) {
          draw_line(rows_[r], y, heights_[r], LineKind::row, r % 2 == 1);
          y += heights_[r];
        } else if (totals_) {
          draw_line(totals_text_, y, totals_height_, LineKind::totals, false);
        }
      }
      draw_footer(p + 1, pages);
      cairo_show_page(cr_.get());
    }
  }

  // The total width of the table.
  double table_width() const {
    double w = 0;
    for (double c : widths_) {
      w += c;
    }
    return w;
  }

  Output& out_;
  const Locale* locale_option_ = nullptr;
  const Locale* locale_ = nullptr;
  bool with_totals_ = false;
  std::optional<bool> chart_; // absent: when there is something to plot
  Options chart_options_;     // the chart's own (svg) options
  const PageSize* page_ = nullptr;
  std::string orientation_;
  std::optional<std::string> title_;

  TableInfo info_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::optional<Totals> totals_;
  std::vector<std::string> totals_text_;
  StringOutput chart_svg_;
  std::unique_ptr<Renderer> svg_;

  CairoSink sink_; // where cairo writes; declared before the surface, which may write when released
  Owned<cairo_surface_t> surface_;
  Owned<cairo_t> cr_;
  Owned<PangoLayout> layout_; // headings, footers and measuring
  std::vector<Owned<PangoLayout>> cell_layouts_, bold_layouts_;
  Owned<PangoFontDescription> regular_, bold_;
  double page_w_ = 0, page_h_ = 0, font_size_ = body_size, line_height_ = 0;
  std::vector<double> widths_;
  std::vector<bool> wraps_;
  double header_height_ = 0, totals_height_ = 0, first_table_y_ = 0, chart_width_ = 0, chart_height_ = 0;
  std::vector<double> heights_;
  std::vector<size_t> page_starts_;
};

} // namespace

std::unique_ptr<Renderer> make_pdf(const Options& options, Output& out) {
  return std::make_unique<PdfRenderer>(options, out);
}

} // namespace autoreport::render
