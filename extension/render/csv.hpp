// CSV and TSV (RFC 4180) renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {
std::unique_ptr<Renderer> make_delimited(const Options& options, Output& out, char delimiter);
} // namespace autoreport::render
