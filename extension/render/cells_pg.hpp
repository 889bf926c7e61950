// PostgreSQL values as render::Cell: each column's kind decided once from its type, each value
// converted the same way for every format (exact numeric text, ISO 8601 times independent of
// DateStyle, raw bytes for bytea, the JSON text for json and jsonb).
#pragma once

#include "common/boundary_pg.hpp"
#include "render/table.hpp"

#include <string>
#include <vector>

namespace autoreport::render {

// Converts the rows of one result shape; reuse it for every row of that result.
class CellConverter {
public:
  explicit CellConverter(TupleDesc desc);
  const std::vector<Column>& columns() const noexcept { return columns_; }
  // The cells of one tuple (of a descriptor like the one given at construction); valid until the
  // next call.
  std::span<const Cell> convert(HeapTuple tuple, TupleDesc desc);

private:
  struct ColumnIo {
    Oid type;      // the base type (domains resolved)
    Oid output_fn; // for kinds printed by the type's output function
  };
  std::vector<Column> columns_;
  std::vector<ColumnIo> io_;
  std::vector<Cell> cells_;
  std::vector<std::string> texts_;
};

} // namespace autoreport::render

namespace autoreport::render {
// The rendering kind of a column of this type (domains resolved to their base type).
Kind kind_for_type(Oid type);
// A timestamptz as ISO 8601 with the session time zone's offset, e.g. 2026-11-27T12:00:00+00:00.
std::string iso_timestamptz(TimestampTz ts);
} // namespace autoreport::render
