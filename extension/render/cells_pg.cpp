// Converting PostgreSQL datums into renderer cells.
#include "render/cells_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
}

#include <cmath>

namespace autoreport::render {

namespace pg = autoreport::pg;

namespace {

Kind kind_of(Oid type) {
  switch (type) {
  case BOOLOID:
    return Kind::Boolean;
  case INT2OID:
  case INT4OID:
  case INT8OID:
    return Kind::Integer;
  case FLOAT4OID:
  case FLOAT8OID:
    return Kind::Float;
  case NUMERICOID:
    return Kind::Numeric;
  case DATEOID:
    return Kind::Date;
  case TIMESTAMPOID:
    return Kind::Timestamp;
  case TIMESTAMPTZOID:
    return Kind::TimestampTz;
  case TIMEOID:
    return Kind::Time;
  case INTERVALOID:
    return Kind::Interval;
  case JSONOID:
  case JSONBOID:
    return Kind::Json;
  case BYTEAOID:
    return Kind::Bytes;
  default:
    return Kind::Text;
  }
}

constexpr int64 kUnixEpochShiftDays = POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE;

// The plain C work of one cell, run under guard(): fills buf (a string of at most MAXDATELEN + 1 or a
// palloc'd output) and the numeric fields. Returns a palloc'd string for output-function kinds.
struct Converted {
  char buf[MAXDATELEN + 1];
  char* out; // palloc'd text, or null when buf holds it
  int64 integer;
  double number;
  int32 utc_offset; // timestamptz: seconds east of UTC in the zone written
  bool finite;
};

// zone: for timestamptz, the zone to write it in (nullptr: the session's).
void convert_datum(Kind kind, Oid type, Oid output_fn, Datum d, Converted* c, const pg_tz* zone = nullptr) {
  c->out = nullptr;
  c->buf[0] = '\0';
  c->integer = 0;
  c->number = 0;
  c->utc_offset = 0;
  c->finite = true;
  switch (kind) {
  case Kind::Date: {
    const DateADT date = DatumGetDateADT(d);
    if (DATE_NOT_FINITE(date)) {
      c->finite = false;
      strlcpy(c->buf, DATE_IS_NOBEGIN(date) ? "-infinity" : "infinity", sizeof c->buf);
      return;
    }
    struct pg_tm tm;
    j2date(date + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    EncodeDateOnly(&tm, USE_XSD_DATES, c->buf);
    c->integer = date + kUnixEpochShiftDays;
    return;
  }
  case Kind::Timestamp:
  case Kind::TimestampTz: {
    const Timestamp ts = DatumGetTimestamp(d);
    if (TIMESTAMP_NOT_FINITE(ts)) {
      c->finite = false;
      strlcpy(c->buf, TIMESTAMP_IS_NOBEGIN(ts) ? "-infinity" : "infinity", sizeof c->buf);
      return;
    }
    struct pg_tm tm;
    fsec_t fsec;
    int tz = 0;
    const char* tzn = nullptr;
    const bool with_tz = kind == Kind::TimestampTz;
    // (timestamp2tm only reads the zone; its parameter is not declared const)
    if (timestamp2tm(ts, with_tz ? &tz : nullptr, &tm, &fsec, with_tz ? &tzn : nullptr,
                     with_tz ? const_cast<pg_tz*>(zone) : nullptr) != 0) {
      ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range")));
    }
    EncodeDateTime(&tm, fsec, with_tz, tz, tzn, USE_XSD_DATES, c->buf);
    c->utc_offset = -tz;
    c->integer = ts + kUnixEpochShiftDays * USECS_PER_DAY;
    return;
  }
  case Kind::Interval: {
    struct pg_itm itm;
    interval2itm(*DatumGetIntervalP(d), &itm);
    EncodeInterval(&itm, INTSTYLE_ISO_8601, c->buf);
    return;
  }
  case Kind::Float:
    c->number = type == FLOAT4OID ? static_cast<double>(DatumGetFloat4(d)) : DatumGetFloat8(d);
    c->finite = std::isfinite(c->number);
    c->out = OidOutputFunctionCall(output_fn, d);
    return;
  case Kind::Numeric:
    c->out = OidOutputFunctionCall(output_fn, d);
    c->number = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
    c->finite = std::isfinite(c->number) && !numeric_is_nan(DatumGetNumeric(d)) &&
                !numeric_is_inf(DatumGetNumeric(d));
    return;
  default:
    c->out = OidOutputFunctionCall(output_fn, d);
    return;
  }
}

} // namespace

CellConverter::CellConverter(TupleDesc desc, bool numbers, const pg_tz* zone)
    : numbers_(numbers), zone_(zone) {
  io_.resize(static_cast<size_t>(desc->natts));
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    ColumnIo& io = io_[static_cast<size_t>(i)];
    const char* type_name = pg::guard([&] {
      io.type = getBaseType(att->atttypid);
      Oid fn;
      bool varlena;
      getTypeOutputInfo(io.type, &fn, &varlena);
      fmgr_info_cxt(fn, &io.output, CurrentMemoryContext);
      return format_type_with_typemod(att->atttypid, att->atttypmod);
    });
    Column& column = columns_.emplace_back();
    column.name = NameStr(att->attname);
    column.kind = kind_of(io.type);
    column.type_name = type_name;
  }
  cells_.resize(columns_.size());
  converted_.resize(columns_.size());
  values_.resize(columns_.size());
  nulls_.resize(columns_.size());
}

namespace {

// Converts one non-null value; C only (it runs under a guard).
void convert_value(Kind kind, CellConverter::ColumnIo* io, Datum d, bool numbers, const pg_tz* zone,
                   CellConverter::Converted* c) {
  c->integer = 0;
  c->number = 0;
  c->utc_offset = 0;
  c->finite = true;
  switch (kind) {
  case Kind::Boolean:
    c->boolean = DatumGetBool(d);
    c->text = c->boolean ? "true" : "false";
    c->length = c->boolean ? 4 : 5;
    return;
  case Kind::Integer: {
    c->integer = io->type == INT2OID   ? DatumGetInt16(d)
                 : io->type == INT4OID ? DatumGetInt32(d)
                                       : DatumGetInt64(d);
    c->number = static_cast<double>(c->integer);
    c->length = static_cast<size_t>(pg_lltoa(c->integer, c->buf));
    c->text = c->buf;
    return;
  }
  case Kind::Bytes: {
    bytea* raw = DatumGetByteaPP(d);
    c->text = VARDATA_ANY(raw);
    c->length = VARSIZE_ANY_EXHDR(raw);
    return;
  }
  case Kind::Float:
    c->number = io->type == FLOAT4OID ? static_cast<double>(DatumGetFloat4(d)) : DatumGetFloat8(d);
    c->finite = std::isfinite(c->number);
    break;
  case Kind::Numeric: {
    Numeric n = DatumGetNumeric(d);
    c->finite = !numeric_is_nan(n) && !numeric_is_inf(n);
    if (numbers) {
      c->number = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
      c->finite = c->finite && std::isfinite(c->number);
    }
    break;
  }
  case Kind::Date:
  case Kind::Timestamp:
  case Kind::TimestampTz:
  case Kind::Interval: {
    Converted tmp;
    convert_datum(kind, io->type, InvalidOid, d, &tmp, zone);
    memcpy(c->buf, tmp.buf, sizeof c->buf);
    c->integer = tmp.integer;
    c->utc_offset = tmp.utc_offset;
    c->finite = tmp.finite;
    c->text = c->buf;
    c->length = strlen(c->buf);
    return;
  }
  default:
    break;
  }
  char* out = OutputFunctionCall(&io->output, d);
  c->text = out;
  c->length = strlen(out);
}

} // namespace

std::span<const Cell> CellConverter::convert(HeapTuple tuple, TupleDesc desc) {
  pg::guard([&] {
    heap_deform_tuple(tuple, desc, values_.data(), reinterpret_cast<bool*>(nulls_.data()));
    for (size_t i = 0; i < columns_.size(); ++i) {
      Converted& c = converted_[i];
      c.is_null = nulls_[i] != 0;
      if (!c.is_null) {
        convert_value(columns_[i].kind, &io_[i], values_[i], numbers_, zone_, &c);
      }
    }
  });
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Converted& c = converted_[i];
    Cell& cell = cells_[i];
    cell = Cell{};
    if (c.is_null) {
      continue;
    }
    cell.is_null = false;
    cell.text = std::string_view(c.text, c.length);
    cell.integer = c.integer;
    cell.number = c.number;
    cell.finite = c.finite;
    cell.boolean = c.boolean;
    cell.utc_offset = c.utc_offset;
  }
  return cells_;
}

} // namespace autoreport::render

namespace autoreport::render {

Kind kind_for_type(Oid type) {
  return kind_of(pg::guard([&] { return getBaseType(type); }));
}

std::string iso_timestamptz(TimestampTz ts, const pg_tz* zone) {
  Converted c;
  pg::guard([&] {
    convert_datum(Kind::TimestampTz, TIMESTAMPTZOID, InvalidOid, TimestampTzGetDatum(ts), &c, zone);
  });
  return c.buf;
}

} // namespace autoreport::render
