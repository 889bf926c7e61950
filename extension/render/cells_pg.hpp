// PostgreSQL values as render::Cell: each column's kind decided once from its type, each value
// converted the same way for every format (exact numeric text, ISO 8601 times independent of
// DateStyle, raw bytes for bytea, the JSON text for json and jsonb).
#pragma once

#include "common/boundary_pg.hpp"
#include "render/table.hpp"

extern "C" {
#include "pgtime.h"
#include "utils/datetime.h"
}

#include <string>
#include <vector>

namespace autoreport::render {

// Converts the rows of one result shape; reuse it for every row of that result. All PostgreSQL work
// for a row runs under one guard. Texts point into memory allocated in CurrentMemoryContext during
// convert() (output functions), so call it in a context that is reset per batch of rows.
class CellConverter {
public:
  // numbers: also fill Cell::number for numeric columns (charts and spreadsheets need it; text
  // formats do not, and converting numeric to double costs).
  // zone: the zone timestamptz values are written in (nullptr: the session's TimeZone).
  CellConverter(TupleDesc desc, bool numbers, const pg_tz* zone = nullptr);
  const std::vector<Column>& columns() const noexcept { return columns_; }
  // The cells of one tuple (of a descriptor like the one given at construction); valid until the
  // next call.
  std::span<const Cell> convert(HeapTuple tuple, TupleDesc desc);

  // Per column: the base type and its output function, looked up once.
  struct ColumnIo {
    Oid type;
    FmgrInfo output;
  };
  // One converted value; plain data, filled under a guard.
  struct Converted {
    char buf[MAXDATELEN + 1];
    const char* text;
    size_t length;
    int64 integer;
    double number;
    int32 utc_offset;
    bool finite;
    bool boolean;
    bool is_null;
  };

private:
  std::vector<Column> columns_;
  std::vector<ColumnIo> io_;
  std::vector<Cell> cells_;
  std::vector<Converted> converted_;
  std::vector<Datum> values_;
  std::vector<char> nulls_; // bool, as heap_deform_tuple wants
  bool numbers_;
  const pg_tz* zone_;
};

} // namespace autoreport::render

namespace autoreport::render {
// The rendering kind of a column of this type (domains resolved to their base type).
Kind kind_for_type(Oid type);
// A timestamptz as ISO 8601 with the session time zone's offset, e.g. 2026-11-27T12:00:00+00:00.
// zone: as CellConverter's.
std::string iso_timestamptz(TimestampTz ts, const pg_tz* zone = nullptr);
} // namespace autoreport::render
