// The PNG renderer: the report's chart (the SVG renderer's) as a PNG image, for e-mail and chat, where
// SVG is not shown.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {

// Options: those of svg (width, height, title, max_points, x, y, series, kind, scales) and "scale" (1 to 4,
// default 2: device pixels per chart pixel, so that an 800 × 400 chart is a sharp 1600 × 800 image on
// high-density screens).
std::unique_ptr<Renderer> make_png(const Options& options, Output& out);

} // namespace autoreport::render
