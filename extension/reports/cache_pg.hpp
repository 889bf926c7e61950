// The result cache: a hit never returns what a fresh run in the caller's snapshot would not.
//
// An entry is keyed by the report's version, the calling role, the canonical parameters and the
// result's column types, and stamped with the write counters (table_version) of every table the
// query reads, as the run's own snapshot saw them. A statement-level trigger on those tables bumps a
// counter with every write, in the writer's transaction. A lookup reads the counters in the caller's
// snapshot: an entry computed from other data carries other counters and is not served. This also
// covers the race of a change committed after the result's snapshot was taken but before the entry
// was stored: the entry carries the counters of its snapshot, which no later snapshot sees.
#pragma once

#include "common/spi_pg.hpp"
#include "reports/binding_pg.hpp"
#include "reports/prepared_pg.hpp"

#include <optional>
#include <string>

namespace autoreport::reports::cache {

// Defines the autoreport.cache* settings and, when preloading, the shared counters.
void init();

struct Lookup {
  bool usable = false; // false: run without the cache (and say why in `bypass`)
  std::string bypass;
  std::string key;
  std::string deps;
  std::string params;
  Oid role = InvalidOid; // the caller's, taken before any switch to the extension's owner
};

// Decides whether this run may use the cache and computes its key and dependency stamp, in the
// caller's snapshot. Call with SPI connected and the report's search_path applied.
Lookup prepare(const ReportVersion& report, const BoundParams& params, const PreparedReport& prepared,
               TupleDesc result);

// The cached rows, or nullopt on a miss.
std::optional<std::string> fetch(const Lookup& lookup);

// Stores a result when the transaction can write (never on a standby or in a read-only transaction).
void store(const Lookup& lookup, const ReportVersion& report, const std::string& payload, uint64 rows);

// The largest payload worth caching, in bytes.
size_t max_entry_bytes();

// Installs the change trigger on each table (as the extension's owner) and records the report's
// dependencies; removes triggers that no report needs any more.
void watch_tables(const std::string& report, const std::vector<Oid>& tables);

void count_bypass();

} // namespace autoreport::reports::cache
