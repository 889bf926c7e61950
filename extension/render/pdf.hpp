// The PDF renderer: what e-mailed reports are. Drawn in-process with cairo and pango (no browser).
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {

// Options: "locale", "totals", "chart" (true, false, or absent: drawn when the result has something to
// plot), "page" ("A4", "letter", "legal"; default letter for en-US, else A4), "orientation"
// ("portrait", "landscape", "auto": landscape when the table is wider than a portrait page), "title",
// "chart_options" (the svg format's options for the chart).
std::unique_ptr<Renderer> make_pdf(const Options& options, Output& out);

// Rows a PDF holds at most: a longer result is 54000 (aggregate it, or use xlsx or csv).
inline constexpr size_t pdf_max_rows = 200000;

} // namespace autoreport::render
