// Output buffers shared by the renderers.
#include "render/table.hpp"

#include "common/error.hpp"

#include "common/pure.hpp"

namespace autoreport::render {

void StringOutput::write(std::string_view bytes) {
  if (bytes.size() > limit_ || data_.size() > limit_ - bytes.size()) {
    throw Error(sqlstate::program_limit_exceeded,
                "rendered result exceeds the limit of " + std::to_string(limit_) + " bytes")
        .with_hint("Use autoreport.render_chunks() to stream a large result in pieces.");
  }
  data_.append(bytes);
}

} // namespace autoreport::render
