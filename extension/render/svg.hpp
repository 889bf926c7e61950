// An SVG chart renderer: lines or stacked areas over time or numbers, bars (side by side or stacked)
// over categories; series from columns or split from long rows; shared, second or per-series axes.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {

// Options: "width" (200..4000, default 800), "height" (150..3000, default 400), "title" (string),
// "max_points" (10..100000, default 2000 points per line before min/max downsampling), "x" (a column),
// "y" (a numeric column or an array of them), "series" (a column whose values split rows into series),
// "kind" ("line", "bar", "stacked", "area") and "scales" ("auto", "shared", "dual", "multiples"); see
// svg.cpp. Options that do not fit the columns are 22023.
std::unique_ptr<Renderer> make_svg(const Options& options, Output& out);

} // namespace autoreport::render
