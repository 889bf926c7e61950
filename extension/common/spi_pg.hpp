// SPI as C++: a connection that always finishes, statements with real bound parameters, and typed
// access to the result.
#pragma once

#include "common/boundary_pg.hpp"

extern "C" {
#include "executor/spi.h"
}

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace autoreport::pg {

// One bound parameter ($1, $2, ...). The value is never spliced into the SQL text.
struct SpiParam {
  Oid type;
  Datum value;
  bool is_null;
};

// The result of the last statement; valid until the next execute() or the end of the connection.
class SpiResult {
public:
  SpiResult(SPITupleTable* table, uint64_t processed, int status) noexcept
      : table_(table), processed_(processed), status_(status) {}

  uint64_t rows() const noexcept { return table_ ? processed_ : 0; }
  uint64_t processed() const noexcept { return processed_; }
  int status() const noexcept { return status_; }
  int columns() const noexcept { return table_ ? table_->tupdesc->natts : 0; }
  std::string column_name(int column) const;
  Oid column_type(int column) const;

  // The raw value, as PostgreSQL holds it. It lives in SPI memory: copy it out (copy_out()) to keep it
  // beyond the connection.
  Datum datum(uint64_t row, int column, bool* is_null) const;
  bool is_null(uint64_t row, int column) const;
  // The value as its type's output function writes it; nullopt for NULL.
  std::optional<std::string> text(uint64_t row, int column) const;
  // Integer columns (int2/int4/int8); throws for other types.
  std::optional<int64_t> integer(uint64_t row, int column) const;
  // Numeric-like columns (float4/float8/int*/numeric) as double.
  std::optional<double> number(uint64_t row, int column) const;
  std::optional<bool> boolean(uint64_t row, int column) const;

private:
  void check(uint64_t row, int column) const;
  void check_column(int column) const;
  SPITupleTable* table_;
  uint64_t processed_;
  int status_;
};

// Parameters of the two commonest types: text and bigint (NULL for nullopt).
SpiParam text_param(const std::optional<std::string>& value);
SpiParam int8_param(int64_t value);
SpiParam int8_param(const std::optional<int64_t>& value);

// SPI_connect on construction, SPI_finish on destruction. Every call leaves CurrentMemoryContext as
// it found it (SPI itself would leave its own context current, where whatever the caller allocates
// is freed at SPI_finish). When the connection unwinds because of a PostgreSQL error, SPI_finish is
// left to the rollback, which pops exactly the SPI levels made inside the failed work.
class SpiConnection {
public:
  SpiConnection();
  ~SpiConnection();
  SpiConnection(const SpiConnection&) = delete;
  SpiConnection& operator=(const SpiConnection&) = delete;

  // Runs one statement. read_only: the statement only reads and sees the caller's snapshot (as in a
  // STABLE function); false: it may write, and sees the effects of earlier statements (VOLATILE).
  // limit 0 means all rows.
  SpiResult execute(std::string_view sql, std::span<const SpiParam> params, bool read_only,
                    int64_t limit = 0);

  // A cursor over a read-only query, for results too large to hold at once.
  Portal open_cursor(std::string_view sql, std::span<const SpiParam> params);
  // A cursor over a prepared plan (read-only, in the caller's snapshot).
  Portal open_cursor(SPIPlanPtr plan, std::span<const SpiParam> params);
  // Prepares a statement and keeps the plan beyond this connection (SPI_keepplan); free it with
  // SPI_freeplan. Throws the parser's or planner's error.
  SPIPlanPtr prepare_kept(std::string_view sql, std::span<const Oid> types);
  // Fetches up to `rows` more rows into SPI_tuptable; returns how many (0 at the end).
  uint64_t fetch(Portal portal, long rows);
  void free_rows(SPITupleTable* table);
  void close_cursor(Portal portal);

  // Copies a pass-by-reference datum out of SPI memory into the caller's context.
  static Datum copy_out(Datum value, bool is_null, Oid type);

private:
  int unresolved_at_start_;
};

} // namespace autoreport::pg
