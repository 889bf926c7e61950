// autoreport.verify_audit(): the hash chain of autoreport.runs checked end to end.
#include "audit/chain.hpp"
#include "common/sha256_pg.hpp"
#include "common/convert_pg.hpp"
#include "common/memory_pg.hpp"
#include "common/runtime.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/timestamp.h"
}

#include <array>
#include <cstring>

using namespace autoreport;
using namespace autoreport::audit;
namespace pg = autoreport::pg;

namespace {

// The columns in canonical order, then the two hashes.
constexpr const char* kRowsSql =
    "SELECT id, at, role, role_name, report, version, params, params_truncated, rows, bytes, duration_ms, "
    "cache_hit, format, error_sqlstate, error_message, prev_hash, hash FROM autoreport.runs ORDER BY id";
constexpr int kColumns = 17;
constexpr long kFetchRows = 1000;

std::optional<Digest> hash_of(Datum value, bool is_null) {
  if (is_null) {
    return std::nullopt;
  }
  const std::string_view bytes = pg::bytea_view(value);
  if (bytes.size() != kHashBytes) {
    return std::nullopt;
  }
  Digest h;
  std::memcpy(h.data(), bytes.data(), kHashBytes);
  return h;
}

std::optional<std::string> text_of(Datum value, bool is_null) {
  return is_null ? std::nullopt : std::optional<std::string>(pg::text_to_string(value));
}

template <typename T, typename F> std::optional<T> value_of(Datum value, bool is_null, F get) {
  return is_null ? std::nullopt : std::optional<T>(get(value));
}

// Checks one fetched row; returns the break if the chain breaks here.
std::optional<ChainBreak> check_row(ChainChecker& checker, pg::Sha256& sha, HeapTuple tuple, TupleDesc desc) {
  std::array<Datum, kColumns> v{};
  std::array<bool, kColumns> n{};
  pg::guard([&] { heap_deform_tuple(tuple, desc, v.data(), n.data()); });
  RunRow row;
  row.id = DatumGetInt64(v[0]);
  row.at = n[1] ? 0 : DatumGetTimestampTz(v[1]);
  row.role = n[2] ? 0 : DatumGetObjectId(v[2]);
  row.role_name = text_of(v[3], n[3]);
  row.report = text_of(v[4], n[4]);
  row.version = value_of<int32_t>(v[5], n[5], [](Datum d) { return DatumGetInt32(d); });
  if (!n[6]) {
    row.params = pg::jsonb_to_string(v[6]);
  }
  row.params_truncated = !n[7] && DatumGetBool(v[7]);
  row.rows = value_of<int64_t>(v[8], n[8], [](Datum d) { return DatumGetInt64(d); });
  row.bytes = value_of<int64_t>(v[9], n[9], [](Datum d) { return DatumGetInt64(d); });
  row.duration_ms = n[10] ? 0 : DatumGetFloat8(v[10]);
  row.cache_hit = !n[11] && DatumGetBool(v[11]);
  row.format = text_of(v[12], n[12]);
  row.error_sqlstate = text_of(v[13], n[13]);
  row.error_message = text_of(v[14], n[14]);
  const std::optional<Digest> prev = hash_of(v[15], n[15]);
  const std::optional<Digest> hash = hash_of(v[16], n[16]);
  const Digest recomputed = sha.digest(hash_input(prev.value_or(kZeroHash), row));
  return checker.next(row.id, prev, hash, recomputed);
}

} // namespace

// autoreport.verify_audit(anchor_id, anchor_hash): walks the chain in id order and returns the first
// broken link, or that the chain holds (with its last row, to anchor a later check).
AUTOREPORT_FUNCTION(autoreport_verify_audit) {
  ChainChecker checker;
  if (PG_ARGISNULL(0) != PG_ARGISNULL(1)) {
    throw Error(sqlstate::invalid_parameter_value, "anchor_id and anchor_hash must be given together")
        .with_hint("Pass the last_id and last_hash of an earlier verify_audit(), or neither.");
  }
  if (!PG_ARGISNULL(0)) {
    const int64 anchor_id = PG_GETARG_INT64(0);
    if (anchor_id < 1) {
      throw Error(sqlstate::invalid_parameter_value, "anchor_id must be positive")
          .with_detail("anchor_id was " + std::to_string(anchor_id) + ".");
    }
    const std::optional<Digest> anchor_hash = hash_of(PG_GETARG_DATUM(1), false);
    if (!anchor_hash) {
      throw Error(sqlstate::invalid_parameter_value, "anchor_hash must be 32 bytes")
          .with_detail("It is " + std::to_string(pg::bytea_view(PG_GETARG_DATUM(1)).size()) + " bytes.");
    }
    checker.set_anchor(anchor_id, *anchor_hash);
  }
  pg::TupleSink sink(fcinfo);
  std::optional<ChainBreak> broken;
  {
    pg::ScopedMemoryContext batch_memory("autoreport verify_audit");
    pg::Sha256 sha;
    pg::SpiConnection spi;
    Portal portal = spi.open_cursor(kRowsSql, {});
    while (!broken) {
      check_interrupts();
      const uint64 fetched = spi.fetch(portal, kFetchRows);
      if (fetched == 0) {
        break;
      }
      SPITupleTable* table = SPI_tuptable;
      {
        pg::MemoryContextSwitch scratch(batch_memory.get());
        for (uint64 i = 0; i < fetched && !broken; ++i) {
          broken = check_row(checker, sha, table->vals[i], table->tupdesc);
        }
      }
      batch_memory.reset();
      spi.free_rows(table);
    }
    spi.close_cursor(portal);
  }
  if (!broken) {
    broken = checker.finish();
  }
  const bool any = checker.last_id() > 0;
  const std::array<Datum, 6> values = {
      BoolGetDatum(!broken),
      Int64GetDatum(checker.checked()),
      Int64GetDatum(broken ? broken->id : 0),
      broken ? pg::string_to_text(broken->reason) : Datum(0),
      Int64GetDatum(checker.last_id()),
      any ? pg::bytes_to_bytea(
                std::string_view(reinterpret_cast<const char*>(checker.last_hash().data()), kHashBytes))
          : Datum(0),
  };
  const std::array<bool, 6> nulls = {false, false, !broken, !broken, !any, !any};
  sink.put(values, nulls);
  return Datum(0);
}
