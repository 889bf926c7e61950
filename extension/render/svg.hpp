// An SVG chart (line chart over time, bar chart over categories) renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {

// Options: "width" (200..4000, default 800), "height" (150..3000, default 400), "title" (string),
// "max_points" (10..100000, default 2000 points per line before min/max downsampling).
std::unique_ptr<Renderer> make_svg(const Options& options, Output& out);

} // namespace autoreport::render
