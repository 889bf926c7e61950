// One self-contained, accessible HTML document renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {
std::unique_ptr<Renderer> make_html(const Options& options, Output& out);
} // namespace autoreport::render
