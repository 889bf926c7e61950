// The renderers autoreport offers, by format name.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace autoreport::render {

// Formats in the order the documentation lists them.
const std::vector<std::string_view>& formats();

// A renderer for `format` writing to `out`. Throws autoreport::Error 22023 for an unknown format
// (listing the known ones) or options the format does not accept.
std::unique_ptr<Renderer> make_renderer(std::string_view format, const Options& options, Output& out);

// The MIME type and file extension of a format (for HTTP and for files the demo writes).
std::string_view mime_type(std::string_view format);
std::string_view file_extension(std::string_view format);

} // namespace autoreport::render
