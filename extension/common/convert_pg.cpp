// Value conversions between PostgreSQL and C++.
#include "common/convert_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
}

#include <memory>

namespace autoreport::pg {

std::string text_to_string(Datum text_datum) {
  text* t = guard([&] { return DatumGetTextPP(text_datum); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::string text_arg(FunctionCallInfo fcinfo, int n, const char* what) {
  if (PG_ARGISNULL(n)) {
    throw Error(sqlstate::invalid_parameter_value, std::string(what) + " must not be null");
  }
  return text_to_string(PG_GETARG_DATUM(n));
}

Datum string_to_text(std::string_view value) {
  return guard([&] {
    return PointerGetDatum(cstring_to_text_with_len(value.data(), static_cast<int>(value.size())));
  });
}

Datum bytes_to_bytea(std::string_view bytes) {
  return guard([&] {
    bytea* b = static_cast<bytea*>(palloc(bytes.size() + VARHDRSZ));
    SET_VARSIZE(b, bytes.size() + VARHDRSZ);
    memcpy(VARDATA(b), bytes.data(), bytes.size());
    return PointerGetDatum(b);
  });
}

std::string_view bytea_view(Datum bytea_datum) {
  bytea* b = guard([&] { return DatumGetByteaPP(bytea_datum); });
  return std::string_view(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

std::string jsonb_to_string(Datum jsonb_datum) {
  char* out = guard([&] {
    Jsonb* jb = DatumGetJsonbP(jsonb_datum);
    return JsonbToCString(nullptr, &jb->root, static_cast<int>(VARSIZE(jb)));
  });
  std::string result(out);
  pfree(out);
  return result;
}

Datum string_to_jsonb(std::string_view json) {
  const std::string copy(json);
  return guard([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(copy.c_str())); });
}

Datum input_value(Oid type, std::string_view text, int32 typmod) {
  const std::string copy(text);
  return guard([&] {
    Oid input_fn;
    Oid io_param;
    getTypeInputInfo(type, &input_fn, &io_param);
    return OidInputFunctionCall(input_fn, const_cast<char*>(copy.c_str()), io_param, typmod);
  });
}

std::string output_value(Oid type, Datum value) {
  char* out = guard([&] {
    Oid output_fn;
    bool varlena;
    getTypeOutputInfo(type, &output_fn, &varlena);
    return OidOutputFunctionCall(output_fn, value);
  });
  std::string result(out);
  pfree(out);
  return result;
}

namespace {

// The elements of a one-dimensional array of the expected element type.
struct Elements {
  Datum* values = nullptr;
  bool* nulls = nullptr;
  int count = 0;
};

Elements deconstruct(Datum array_datum, Oid element_type) {
  Elements e;
  ArrayType* array = guard([&] { return DatumGetArrayTypeP(array_datum); });
  if (ARR_NDIM(array) > 1) {
    throw Error(sqlstate::invalid_parameter_value, "array must be one-dimensional")
        .with_detail("The array has " + std::to_string(ARR_NDIM(array)) + " dimensions.");
  }
  if (ARR_ELEMTYPE(array) != element_type) {
    throw Error(sqlstate::internal_error, "array has an unexpected element type");
  }
  guard([&] {
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(element_type, &len, &byval, &align);
    deconstruct_array(array, element_type, len, byval, align, &e.values, &e.nulls, &e.count);
  });
  return e;
}

Datum construct_impl(std::span<const Datum> values, std::span<const bool> nulls, Oid element_type) {
  return guard([&] {
    int16 len;
    bool byval;
    char align;
    get_typlenbyvalalign(element_type, &len, &byval, &align);
    int dims[1] = {static_cast<int>(values.size())};
    int lbs[1] = {1};
    return PointerGetDatum(construct_md_array(const_cast<Datum*>(values.data()),
                                              const_cast<bool*>(nulls.data()), 1, dims, lbs, element_type,
                                              len, byval, align));
  });
}

// Elements of an array as C++ optionals, each converted by from_datum.
template <typename T, typename FromDatum>
std::vector<std::optional<T>> array_elements(Datum array_datum, Oid element_type, FromDatum from_datum) {
  const Elements e = deconstruct(array_datum, element_type);
  std::vector<std::optional<T>> out;
  out.reserve(static_cast<size_t>(e.count));
  for (int i = 0; i < e.count; ++i) {
    if (e.nulls[i]) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(from_datum(e.values[i]));
    }
  }
  return out;
}

// A one-dimensional array of element_type from C++ optionals, each converted by to_datum.
template <typename T, typename ToDatum>
Datum array_of(std::span<const std::optional<T>> values, Oid element_type, ToDatum to_datum) {
  std::vector<Datum> datums(values.size());
  std::unique_ptr<bool[]> nulls(new bool[values.size() + 1]());
  for (size_t i = 0; i < values.size(); ++i) {
    nulls[i] = !values[i].has_value();
    datums[i] = nulls[i] ? Datum(0) : to_datum(*values[i]);
  }
  return construct_impl(datums, std::span<const bool>(nulls.get(), values.size()), element_type);
}

} // namespace

Datum make_array(std::span<const Datum> values, std::span<const bool> nulls, Oid element_type) {
  return construct_impl(values, nulls, element_type);
}

std::vector<std::optional<double>> float8_array(Datum array_datum) {
  return array_elements<double>(array_datum, FLOAT8OID, [](Datum d) { return DatumGetFloat8(d); });
}

std::vector<std::optional<int64_t>> int8_array(Datum array_datum) {
  return array_elements<int64_t>(array_datum, INT8OID, [](Datum d) { return DatumGetInt64(d); });
}

std::vector<std::optional<int32_t>> int4_array(Datum array_datum) {
  return array_elements<int32_t>(array_datum, INT4OID, [](Datum d) { return DatumGetInt32(d); });
}

std::vector<std::optional<std::string>> text_array(Datum array_datum) {
  return array_elements<std::string>(array_datum, TEXTOID, [](Datum d) { return text_to_string(d); });
}

Datum make_float8_array(std::span<const std::optional<double>> values) {
  return array_of(values, FLOAT8OID, [](double v) { return Float8GetDatum(v); });
}

Datum make_int8_array(std::span<const std::optional<int64_t>> values) {
  return array_of(values, INT8OID, [](int64_t v) { return Int64GetDatum(v); });
}

Datum make_text_array(std::span<const std::optional<std::string>> values) {
  return array_of(values, TEXTOID, [](const std::string& v) { return string_to_text(v); });
}

Datum make_result_record(FunctionCallInfo fcinfo, std::span<const Datum> values,
                         std::span<const bool> nulls) {
  TupleDesc desc = nullptr;
  guard([&] {
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
      elog(ERROR, "function returning a record called in a context that cannot accept one");
    }
    BlessTupleDesc(desc);
  });
  if (values.size() != static_cast<size_t>(desc->natts) || nulls.size() != values.size()) {
    throw Error(sqlstate::internal_error, "result record has " + std::to_string(values.size()) +
                                              " values for " + std::to_string(desc->natts) + " columns");
  }
  return guard([&] {
    return HeapTupleGetDatum(
        heap_form_tuple(desc, const_cast<Datum*>(values.data()), const_cast<bool*>(nulls.data())));
  });
}

TupleSink::TupleSink(FunctionCallInfo fcinfo, bool scalar)
    : rsinfo_(reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo)) {
  guard([&] { InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0); });
}

int TupleSink::columns() const noexcept {
  return rsinfo_->setDesc->natts;
}

Oid TupleSink::column_type(int column) const {
  if (column < 0 || column >= columns()) {
    throw Error(sqlstate::internal_error, "result column " + std::to_string(column) + " does not exist");
  }
  return TupleDescAttr(rsinfo_->setDesc, column)->atttypid;
}

void TupleSink::put(std::span<const Datum> values, std::span<const bool> nulls) {
  if (values.size() != static_cast<size_t>(columns()) || nulls.size() != values.size()) {
    throw Error(sqlstate::internal_error, "result row has " + std::to_string(values.size()) + " values for " +
                                              std::to_string(columns()) + " columns");
  }
  guard([&] {
    tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, const_cast<Datum*>(values.data()),
                         const_cast<bool*>(nulls.data()));
  });
}

void TupleSink::put_tuple(HeapTuple tuple) {
  guard([&] { tuplestore_puttuple(rsinfo_->setResult, tuple); });
}

TupleDesc TupleSink::descriptor() const noexcept {
  return rsinfo_->setDesc;
}

} // namespace autoreport::pg

namespace autoreport::pg {
MemoryContext TupleSink::memory() const noexcept {
  return rsinfo_->econtext->ecxt_per_query_memory;
}
} // namespace autoreport::pg
