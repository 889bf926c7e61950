// Conversions between PostgreSQL values and C++ values: text, jsonb, arrays, and any type through its
// input and output functions. Each conversion that can fail raises autoreport::Error with the
// SQLSTATE PostgreSQL gave.
#pragma once

#include "common/boundary_pg.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autoreport::pg {

// text
std::string text_to_string(Datum text_datum);
// Argument n of a SQL function as text; NULL is 22023 "<what> must not be null".
std::string text_arg(FunctionCallInfo fcinfo, int n, const char* what);
Datum string_to_text(std::string_view value);

// bytea: raw bytes in and out (the view is valid as long as the datum's memory).
Datum bytes_to_bytea(std::string_view bytes);
std::string_view bytea_view(Datum bytea_datum);

// jsonb: the canonical text PostgreSQL prints, and parsing with PostgreSQL's own parser.
std::string jsonb_to_string(Datum jsonb_datum);
Datum string_to_jsonb(std::string_view json);

// Any type, by OID: through its input and output functions, so every type's own rules apply.
Datum input_value(Oid type, std::string_view text, int32 typmod = -1);
std::string output_value(Oid type, Datum value);

// One-dimensional arrays. NULL elements become nullopt.
std::vector<std::optional<double>> float8_array(Datum array_datum);
std::vector<std::optional<int64_t>> int8_array(Datum array_datum);
std::vector<std::optional<int32_t>> int4_array(Datum array_datum);
std::vector<std::optional<std::string>> text_array(Datum array_datum);
// A one-dimensional array of element_type (nulls: one flag per value).
Datum make_array(std::span<const Datum> values, std::span<const bool> nulls, Oid element_type);
Datum make_float8_array(std::span<const std::optional<double>> values);
Datum make_int8_array(std::span<const std::optional<int64_t>> values);
Datum make_text_array(std::span<const std::optional<std::string>> values);

// The composite result of a function returning one record (OUT parameters or a row type): values and
// nulls hold one entry per column of the function's result type.
Datum make_result_record(FunctionCallInfo fcinfo, std::span<const Datum> values, std::span<const bool> nulls);

// Rows of a set-returning function in materialize mode (InitMaterializedSRF). For a function that
// returns SETOF a scalar type, pass scalar = true.
class TupleSink {
public:
  explicit TupleSink(FunctionCallInfo fcinfo, bool scalar = false);
  int columns() const noexcept;
  Oid column_type(int column) const;
  // values and nulls hold one entry per column of the result.
  void put(std::span<const Datum> values, std::span<const bool> nulls);
  // A whole tuple whose descriptor matches descriptor().
  void put_tuple(HeapTuple tuple);
  TupleDesc descriptor() const noexcept;
  // Memory that lives as long as the result (the query's memory).
  MemoryContext memory() const noexcept;

private:
  ReturnSetInfo* rsinfo_;
};

} // namespace autoreport::pg
