// Capture of the changes of managed views' source tables (capture_pg.cpp), and the statement a capture
// trigger fired for, whose changes refresh_pg.cpp applies to the `immediate` views.
#pragma once

#include "common/spi_pg.hpp"

#include <cstdint>
#include <vector>

namespace autoreport::views {

// The log of `source`, created when missing, with a column for each of `attnums`; `owner` may read it;
// and its capture triggers (created as the caller, whom PostgreSQL checks for the TRIGGER privilege).
void ensure_capture(pg::SpiConnection& spi, Oid source, const std::vector<AttrNumber>& attnums, Oid owner);
// Removes the capture of `source` once no managed view reads it.
void release_capture(pg::SpiConnection& spi, Oid source);
// Makes the capture triggers of `source` wake the scheduler exactly when an `on change` view reads it,
// and apply changes in the writing statement exactly when an `immediate` view does.
void sync_flags(pg::SpiConnection& spi, Oid source);

// The statement a capture trigger fired for.
struct Written {
  Oid source = InvalidOid; // the table the statement wrote
  bool truncated = false;  // by TRUNCATE
  // Its transition tables, registered in the current SPI connection (nullptr: none of that kind).
  const char* old_table = nullptr;
  const char* new_table = nullptr;
  int64_t rows = 0; // the rows in them
};

} // namespace autoreport::views
