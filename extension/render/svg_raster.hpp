// Our SVG charts drawn onto cairo by librsvg: into a PDF page (pdf.cpp) or as a PNG image (png.cpp).
// One chart definition (the SVG renderer) serves every format, so a PDF or PNG chart shows exactly
// what the SVG and HTML ones show.
#pragma once

#include "render/table.hpp"

#include <cairo.h>

#include <exception>
#include <string>
#include <string_view>

namespace autoreport::render {

struct SvgSize {
  double width = 0, height = 0;
};

// The size in px an SVG document declares (its width and height); XX000 when librsvg cannot read it.
SvgSize svg_size(std::string_view svg);

// Draws the document scaled to `width` (its aspect ratio kept) with its top left corner at (x, y).
// Returns the height drawn.
double draw_svg(cairo_t* cr, std::string_view svg, double x, double y, double width);

// Writes a cairo surface as PNG to `out` (exceptions of out.write travel through cairo's callback).
void write_png(cairo_surface_t* surface, Output& out);

// A cairo write callback that appends to an Output and keeps the first exception it throws, for the
// caller to rethrow once cairo returns (an exception must not cross cairo's C frames).
struct CairoSink {
  Output* out = nullptr;
  std::exception_ptr error;
  static cairo_status_t write(void* closure, const unsigned char* data, unsigned int length);
  // Rethrows a kept exception, else throws XX000 naming `what` when status is not success.
  void check(cairo_status_t status, std::string_view what) const;
};

} // namespace autoreport::render
