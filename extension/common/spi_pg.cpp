// SPI connection and result helpers.
#include "common/spi_pg.hpp"

#include "common/convert_pg.hpp"
#include "common/memory_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
}

#include <vector>

namespace autoreport::pg {

SpiParam text_param(const std::optional<std::string>& value) {
  return value ? SpiParam{TEXTOID, string_to_text(*value), false} : SpiParam{TEXTOID, Datum(0), true};
}

SpiParam int8_param(int64_t value) {
  return SpiParam{INT8OID, Int64GetDatum(value), false};
}

SpiParam int8_param(const std::optional<int64_t>& value) {
  return value ? int8_param(*value) : SpiParam{INT8OID, Datum(0), true};
}

namespace {

// Restores CurrentMemoryContext when it goes out of scope, whatever SPI switched to.
class KeepMemoryContext : public MemoryContextSwitch {
public:
  KeepMemoryContext() : MemoryContextSwitch(CurrentMemoryContext) {}
};

// Bound parameters in the three arrays SPI wants.
struct SpiArgs {
  explicit SpiArgs(std::span<const SpiParam> params) {
    for (const SpiParam& p : params) {
      types.push_back(p.type);
      values.push_back(p.value);
      nulls.push_back(p.is_null ? 'n' : ' ');
    }
  }
  int count() const { return static_cast<int>(types.size()); }
  std::vector<Oid> types;
  std::vector<Datum> values;
  std::vector<char> nulls;
};

} // namespace

SpiConnection::SpiConnection() : unresolved_at_start_(detail::unresolved_errors()) {
  KeepMemoryContext keep;
  const int rc = guard([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) {
    throw Error(sqlstate::internal_error, "could not connect to SPI").with_detail(SPI_result_code_string(rc));
  }
}

SpiConnection::~SpiConnection() {
  if (std::uncaught_exceptions() > 0 && detail::unresolved_errors() > unresolved_at_start_) {
    // A PostgreSQL error is on its way up: the SPI stack may hold levels of the failed work above
    // ours, and only the rollback (of the transaction or subtransaction) pops them correctly.
    return;
  }
  KeepMemoryContext keep;
  try {
    guard([] { SPI_finish(); });
  } catch (...) {
    // SPI_finish reports only an unconnected state, which the transaction's end cleans up.
  }
}

SpiResult SpiConnection::execute(std::string_view sql, std::span<const SpiParam> params, bool read_only,
                                 int64_t limit) {
  const std::string query(sql);
  SpiArgs args(params);
  KeepMemoryContext keep;
  const int rc = guard([&] {
    return SPI_execute_with_args(query.c_str(), args.count(), args.types.data(), args.values.data(),
                                 args.nulls.data(), read_only, static_cast<long>(limit));
  });
  if (rc < 0) {
    throw Error(sqlstate::internal_error, "SPI could not run the statement")
        .with_detail(std::string(SPI_result_code_string(rc)) + " for: " + query);
  }
  return SpiResult(SPI_tuptable, SPI_processed, rc);
}

Portal SpiConnection::open_cursor(std::string_view sql, std::span<const SpiParam> params) {
  const std::string query(sql);
  SpiArgs args(params);
  KeepMemoryContext keep;
  return guard([&] {
    return SPI_cursor_open_with_args(nullptr, query.c_str(), args.count(), args.types.data(),
                                     args.values.data(), args.nulls.data(), true, CURSOR_OPT_NO_SCROLL);
  });
}

Portal SpiConnection::open_cursor(SPIPlanPtr plan, std::span<const SpiParam> params) {
  SpiArgs args(params);
  KeepMemoryContext keep;
  return guard([&] { return SPI_cursor_open(nullptr, plan, args.values.data(), args.nulls.data(), true); });
}

SPIPlanPtr SpiConnection::prepare_kept(std::string_view sql, std::span<const Oid> types) {
  const std::string query(sql);
  KeepMemoryContext keep;
  SPIPlanPtr plan = guard([&] {
    return SPI_prepare(query.c_str(), static_cast<int>(types.size()), const_cast<Oid*>(types.data()));
  });
  if (plan == nullptr) {
    throw Error(sqlstate::internal_error, "could not prepare a statement")
        .with_detail(std::string(SPI_result_code_string(SPI_result)) + " for: " + query);
  }
  guard([&] { SPI_keepplan(plan); });
  return plan;
}

uint64_t SpiConnection::fetch(Portal portal, long rows) {
  KeepMemoryContext keep;
  guard([&] { SPI_cursor_fetch(portal, true, rows); });
  return SPI_processed;
}

void SpiConnection::free_rows(SPITupleTable* table) {
  KeepMemoryContext keep;
  guard([&] { SPI_freetuptable(table); });
}

void SpiConnection::close_cursor(Portal portal) {
  KeepMemoryContext keep;
  guard([&] { SPI_cursor_close(portal); });
}

Datum SpiConnection::copy_out(Datum value, bool is_null, Oid type) {
  if (is_null) {
    return Datum(0);
  }
  return guard([&] {
    int16 len;
    bool byval;
    get_typlenbyval(type, &len, &byval);
    return SPI_datumTransfer(value, byval, len);
  });
}

void SpiResult::check(uint64_t row, int column) const {
  if (table_ == nullptr || row >= processed_ || column < 0 || column >= table_->tupdesc->natts) {
    throw Error(sqlstate::internal_error, "SPI result accessed out of range")
        .with_detail("row " + std::to_string(row) + ", column " + std::to_string(column) + " of " +
                     std::to_string(rows()) + " rows and " + std::to_string(columns()) + " columns");
  }
}

void SpiResult::check_column(int column) const {
  if (table_ == nullptr || column < 0 || column >= table_->tupdesc->natts) {
    throw Error(sqlstate::internal_error, "SPI result column " + std::to_string(column) + " does not exist");
  }
}

std::string SpiResult::column_name(int column) const {
  check_column(column);
  return NameStr(TupleDescAttr(table_->tupdesc, column)->attname);
}

Oid SpiResult::column_type(int column) const {
  check_column(column);
  return TupleDescAttr(table_->tupdesc, column)->atttypid;
}

Datum SpiResult::datum(uint64_t row, int column, bool* is_null) const {
  check(row, column);
  HeapTuple tuple = table_->vals[row];
  TupleDesc desc = table_->tupdesc;
  return guard([&] { return SPI_getbinval(tuple, desc, column + 1, is_null); });
}

bool SpiResult::is_null(uint64_t row, int column) const {
  bool null = false;
  datum(row, column, &null);
  return null;
}

std::optional<std::string> SpiResult::text(uint64_t row, int column) const {
  check(row, column);
  HeapTuple tuple = table_->vals[row];
  TupleDesc desc = table_->tupdesc;
  char* value = guard([&] { return SPI_getvalue(tuple, desc, column + 1); });
  if (value == nullptr) {
    return std::nullopt;
  }
  std::string out(value);
  pfree(value);
  return out;
}

std::optional<int64_t> SpiResult::integer(uint64_t row, int column) const {
  bool null = false;
  const Datum d = datum(row, column, &null);
  if (null) {
    return std::nullopt;
  }
  switch (column_type(column)) {
  case INT2OID:
    return DatumGetInt16(d);
  case INT4OID:
    return DatumGetInt32(d);
  case INT8OID:
    return DatumGetInt64(d);
  case OIDOID:
  case REGROLEOID:
  case REGPROCEDUREOID:
  case REGCLASSOID:
    return static_cast<int64_t>(DatumGetObjectId(d));
  default:
    throw Error(sqlstate::internal_error, "column \"" + column_name(column) + "\" is not an integer");
  }
}

std::optional<double> SpiResult::number(uint64_t row, int column) const {
  bool null = false;
  const Datum d = datum(row, column, &null);
  if (null) {
    return std::nullopt;
  }
  switch (column_type(column)) {
  case FLOAT4OID:
    return DatumGetFloat4(d);
  case FLOAT8OID:
    return DatumGetFloat8(d);
  case INT2OID:
    return DatumGetInt16(d);
  case INT4OID:
    return DatumGetInt32(d);
  case INT8OID:
    return static_cast<double>(DatumGetInt64(d));
  case NUMERICOID:
    return guard([&] { return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d)); });
  default:
    throw Error(sqlstate::internal_error, "column \"" + column_name(column) + "\" is not numeric");
  }
}

std::optional<bool> SpiResult::boolean(uint64_t row, int column) const {
  bool null = false;
  const Datum d = datum(row, column, &null);
  if (null) {
    return std::nullopt;
  }
  if (column_type(column) != BOOLOID) {
    throw Error(sqlstate::internal_error, "column \"" + column_name(column) + "\" is not boolean");
  }
  return DatumGetBool(d);
}

} // namespace autoreport::pg
