// A GitHub-flavoured Markdown table renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {
std::unique_ptr<Renderer> make_markdown(const Options& options, Output& out);
} // namespace autoreport::render
