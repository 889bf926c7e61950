// The dashboard's files (sidecar/web), embedded in the binary at build time by scripts/embed_files.sh.
#pragma once

#include <cstddef>

namespace autoreport::sidecar {

struct WebAsset {
  const char* path; // "/index.html"; nullptr ends the table
  const char* content_type;
  const unsigned char* data;
  size_t size;
};

extern const WebAsset kWebAssets[];

} // namespace autoreport::sidecar
