// The format registry: names, MIME types, and the renderer behind each.
#include "render/renderers.hpp"

#include "common/error.hpp"
#include "render/csv.hpp"
#include "render/html.hpp"
#include "render/json.hpp"
#include "render/markdown.hpp"
#include "render/pdf.hpp"
#include "render/png.hpp"
#include "render/svg.hpp"
#include "render/xlsx.hpp"

#include <string>

#include "common/pure.hpp"

namespace autoreport::render {

namespace {
struct Format {
  std::string_view name;
  std::string_view mime;
  std::string_view extension;
};
constexpr Format kFormats[] = {
    {"csv", "text/csv; charset=utf-8", "csv"},
    {"tsv", "text/tab-separated-values; charset=utf-8", "tsv"},
    {"json", "application/json", "json"},
    {"ndjson", "application/x-ndjson", "ndjson"},
    {"html", "text/html; charset=utf-8", "html"},
    {"markdown", "text/markdown; charset=utf-8", "md"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    {"svg", "image/svg+xml", "svg"},
    {"pdf", "application/pdf", "pdf"},
    {"png", "image/png", "png"},
};

const Format& find_format(std::string_view name) {
  for (const Format& f : kFormats) {
    if (f.name == name) {
      return f;
    }
  }
  std::string known;
  for (const Format& f : kFormats) {
    known += (known.empty() ? "" : ", ") + std::string(f.name);
  }
  throw Error(sqlstate::invalid_parameter_value, "unknown format \"" + std::string(name) + "\"")
      .with_hint("Use one of: " + known + ".");
}
} // namespace

const std::vector<std::string_view>& formats() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const Format& f : kFormats) {
      v.push_back(f.name);
    }
    return v;
  }();
  return names;
}

std::unique_ptr<Renderer> make_renderer(std::string_view format, const Options& options, Output& out) {
  const std::string_view name = find_format(format).name;
  if (name == "csv") {
    return make_delimited(options, out, ',');
  }
  if (name == "tsv") {
    return make_delimited(options, out, '\t');
  }
  if (name == "json" || name == "ndjson") {
    return make_json(options, out, name == "ndjson");
  }
  if (name == "html") {
    return make_html(options, out);
  }
  if (name == "markdown") {
    return make_markdown(options, out);
  }
  if (name == "xlsx") {
    return make_xlsx(options, out);
  }
  if (name == "pdf") {
    return make_pdf(options, out);
  }
  if (name == "png") {
    return make_png(options, out);
  }
  return make_svg(options, out);
}

std::string_view mime_type(std::string_view format) {
  return find_format(format).mime;
}
std::string_view file_extension(std::string_view format) {
  return find_format(format).extension;
}

} // namespace autoreport::render
