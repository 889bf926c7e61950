// Refreshing a managed view (refresh_pg.cpp): on demand, when it is created or its refresh mode
// changes (views_pg.cpp), and in a writing statement for the `immediate` views that read its table (the
// capture triggers of capture_pg.cpp).
#pragma once

#include "common/spi_pg.hpp"
#include "views/capture_pg.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace autoreport::views {

// What a refresh did: its mode and why, the rows it wrote (-1: not known) and how long it took.
struct Outcome {
  std::string mode;
  std::string reason;
  int64_t rows = 0;
  double seconds = 0;
};

// Brings the managed view in table `relid` up to date. mode: auto, incremental or full; or immediate:
// from the capture trigger of a writing statement, applying its changes (`written`).
Outcome refresh(pg::SpiConnection& spi, Oid relid, const std::string& mode,
                const std::optional<Written>& written = std::nullopt);

// Applies the statement's changes to the `immediate` views that read its table.
void apply_to_immediate_views(pg::SpiConnection& spi, const Written& written);

} // namespace autoreport::views
