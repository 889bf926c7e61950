// JSON (an array of objects) and NDJSON (one object per line) renderer.
#pragma once

#include "render/options.hpp"
#include "render/table.hpp"

#include <memory>

namespace autoreport::render {
std::unique_ptr<Renderer> make_json(const Options& options, Output& out, bool ndjson);
} // namespace autoreport::render
