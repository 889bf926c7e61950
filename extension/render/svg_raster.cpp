// librsvg and cairo glue for PDF and PNG (see svg_raster.hpp).
#include "render/svg_raster.hpp"

#include "common/error.hpp"

#include <librsvg/rsvg.h>

#include <memory>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {

struct HandleUnref {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
using Handle = std::unique_ptr<RsvgHandle, HandleUnref>;

// The parsed document; XX000 with librsvg's message when it cannot be read (our own SVG always can).
Handle parse(std::string_view svg) {
  GError* error = nullptr;
  RsvgHandle* h = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()),
                                            static_cast<gsize>(svg.size()), &error);
  if (h == nullptr) {
    const std::string why = error != nullptr ? error->message : "unknown error";
    if (error != nullptr) {
      g_error_free(error);
    }
    throw Error(sqlstate::internal_error, "could not read the chart's SVG: " + why);
  }
  return Handle(h);
}

} // namespace

SvgSize svg_size(std::string_view svg) {
  const Handle h = parse(svg);
  SvgSize size;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(h.get(), &size.width, &size.height)) {
    size = {800, 400};
  }
  return size;
}

double draw_svg(cairo_t* cr, std::string_view svg, double x, double y, double width) {
  const Handle h = parse(svg);
  SvgSize size;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(h.get(), &size.width, &size.height) || size.width <= 0) {
    size = {800, 400};
  }
  const double height = width * size.height / size.width;
  const RsvgRectangle viewport{x, y, width, height};
  GError* error = nullptr;
  if (!rsvg_handle_render_document(h.get(), cr, &viewport, &error)) {
    const std::string why = error != nullptr ? error->message : "unknown error";
    if (error != nullptr) {
      g_error_free(error);
    }
    throw Error(sqlstate::internal_error, "could not draw the chart: " + why);
  }
  return height;
}

cairo_status_t CairoSink::write(void* closure, const unsigned char* data, unsigned int length) {
  auto* sink = static_cast<CairoSink*>(closure);
  if (sink->error) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
  try {
    sink->out->write(std::string_view(reinterpret_cast<const char*>(data), length));
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    sink->error = std::current_exception();
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

void CairoSink::check(cairo_status_t status, std::string_view what) const {
  if (error) {
    std::rethrow_exception(error);
  }
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(sqlstate::internal_error, std::string(what) + " failed: " + cairo_status_to_string(status));
  }
}

void write_png(cairo_surface_t* surface, Output& out) {
  CairoSink sink{&out, nullptr};
  sink.check(cairo_surface_write_to_png_stream(surface, &CairoSink::write, &sink), "writing the PNG");
}

} // namespace autoreport::render
