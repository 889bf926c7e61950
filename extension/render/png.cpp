// The PNG renderer (see png.hpp): rows go to the SVG renderer; at end() librsvg draws its document on a
// white cairo image surface, written as PNG.
#include "render/png.hpp"

#include "common/error.hpp"
#include "render/svg.hpp"
#include "render/svg_raster.hpp"

#include <cairo.h>

#include <cmath>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDestroy {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

class PngRenderer final : public Renderer {
public:
  PngRenderer(const Options& options, Output& out) : out_(out) {
    options.allow_only(
        "png", {"width", "height", "title", "max_points", "x", "y", "series", "kind", "scales", "scale"});
    scale_ = static_cast<double>(options.integer("scale", 2, 1, 4));
    svg_ = make_svg(options.without({"scale"}), chart_);
  }

  void begin(const TableInfo& info) override { svg_->begin(info); }
  void row(std::span<const Cell> cells) override { svg_->row(cells); }

  void end() override {
    svg_->end();
    const std::string& svg = chart_.data();
    const SvgSize size = svg_size(svg);
    const int width = static_cast<int>(std::ceil(size.width * scale_));
    const int height = static_cast<int>(std::ceil(size.height * scale_));
    std::unique_ptr<cairo_surface_t, SurfaceDestroy> surface(
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
    std::unique_ptr<cairo_t, ContextDestroy> cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    draw_svg(cr.get(), svg, 0, 0, static_cast<double>(width));
    cairo_surface_flush(surface.get());
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      throw Error(sqlstate::internal_error,
                  std::string("drawing the PNG failed: ") + cairo_status_to_string(cairo_status(cr.get())));
    }
    write_png(surface.get(), out_);
  }

private:
  Output& out_;
  double scale_ = 2;
  StringOutput chart_;
  std::unique_ptr<Renderer> svg_;
};

} // namespace

std::unique_ptr<Renderer> make_png(const Options& options, Output& out) {
  return std::make_unique<PngRenderer>(options, out);
}

} // namespace autoreport::render
