// Executing a report's query through a cursor, with the result cache in front of it.
#include "reports/execute_pg.hpp"

#include "common/memory_pg.hpp"
#include "common/runtime.hpp"
#include "reports/cache_pg.hpp"
#include "reports/prepared_pg.hpp"
#include "reports/restricted_pg.hpp"

extern "C" {
#include "access/htup_details.h"
}

#include <cstring>
#include <optional>
#include <vector>

namespace autoreport::reports {

namespace {

constexpr long kBatchRows = 1000;
constexpr char kMagic[4] = {'A', 'R', 'C', '1'};

// Collects rows for the cache as their full tuple bytes (external TOAST values inlined), giving up
// once the entry would be too large to store.
class PayloadWriter {
public:
  explicit PayloadWriter(size_t limit) : limit_(limit) { data_.append(kMagic, sizeof kMagic); }
  bool ok() const noexcept { return ok_; }
  const std::string& data() const noexcept { return data_; }
  void add(HeapTuple tuple, TupleDesc desc) {
    if (!ok_) {
      return;
    }
    const Datum d = pg::guard([&] { return heap_copy_tuple_as_datum(tuple, desc); });
    HeapTupleHeader h = DatumGetHeapTupleHeader(d);
    const uint32 len = HeapTupleHeaderGetDatumLength(h);
    if (data_.size() + sizeof len + len > limit_) {
      ok_ = false;
      data_.clear();
      data_.shrink_to_fit();
    } else {
      data_.append(reinterpret_cast<const char*>(&len), sizeof len);
      data_.append(reinterpret_cast<const char*>(h), len);
    }
    pfree(DatumGetPointer(d));
  }

private:
  std::string data_;
  size_t limit_;
  bool ok_ = true;
};

// Replays cached rows in batches; false when the payload is not one this version wrote.
bool replay(const std::string& payload, TupleDesc desc, const RowsFn& on_rows, uint64* rows) {
  if (payload.size() < sizeof kMagic || std::memcmp(payload.data(), kMagic, sizeof kMagic) != 0) {
    return false;
  }
  pg::ScopedMemoryContext batch_memory("autoreport cache replay");
  std::vector<HeapTupleData> tuples;
  std::vector<HeapTuple> batch;
  size_t at = sizeof kMagic;
  while (at < payload.size()) {
    tuples.clear();
    batch.clear();
    batch_memory.reset();
    pg::MemoryContextSwitch in_batch(batch_memory.get());
    tuples.reserve(kBatchRows);
    while (at < payload.size() && tuples.size() < static_cast<size_t>(kBatchRows)) {
      uint32 len;
      std::memcpy(&len, payload.data() + at, sizeof len);
      at += sizeof len;
      auto* header = static_cast<HeapTupleHeader>(pg::guard([&] { return palloc(len); }));
      std::memcpy(header, payload.data() + at, len);
      at += len;
      HeapTupleData t{};
      t.t_len = len;
      t.t_data = header;
      ItemPointerSetInvalid(&t.t_self);
      t.t_tableOid = InvalidOid;
      tuples.push_back(t);
    }
    for (HeapTupleData& t : tuples) {
      batch.push_back(&t);
    }
    check_interrupts();
    on_rows(desc, batch);
    *rows += batch.size();
  }
  return true;
}

} // namespace

RunOutcome produce_rows(const ReportVersion& report, const BoundParams& params, const RowsFn& on_rows) {
  RunOutcome outcome;
  pg::SpiConnection spi;
  SearchPathScope path(report.search_path);
  // The query text is read under the standard_conforming_strings it was defined with.
  pg::SettingScope strings("standard_conforming_strings", report.standard_strings ? "on" : "off");
  const PreparedReport prepared = prepared_report(report, spi);
  check_reads_only(prepared, report.name);
  TupleDesc desc = plan_result_desc(prepared.plan);
  const cache::Lookup lookup = cache::prepare(report, params, prepared, desc);
  outcome.cache_bypass = lookup.bypass;
  if (lookup.usable) {
    if (const std::optional<std::string> payload = cache::fetch(lookup)) {
      check_permissions(prepared); // as a fresh run would: a revoked privilege is not bypassed by a hit
      if (replay(*payload, desc, on_rows, &outcome.rows)) {
        outcome.cache_hit = true;
        return outcome;
      }
    }
  } else {
    cache::count_bypass();
  }
  std::optional<PayloadWriter> writer;
  if (lookup.usable) {
    writer.emplace(cache::max_entry_bytes());
  }
  std::optional<RestrictedScope> restricted(std::in_place, report.name); // planning and execution
  Portal portal = spi.open_cursor(prepared.plan, params.values);
  pg::ScopedMemoryContext batch_memory("autoreport report batch");
  for (;;) {
    check_interrupts();
    const uint64 n = spi.fetch(portal, kBatchRows);
    if (n == 0) {
      break;
    }
    SPITupleTable* table = SPI_tuptable;
    {
      // What the consumer allocates for a batch is freed with the batch.
      pg::MemoryContextSwitch in_batch(batch_memory.get());
      on_rows(table->tupdesc, std::span<HeapTuple>(table->vals, n));
    }
    batch_memory.reset();
    if (writer) {
      for (uint64 i = 0; i < n; ++i) {
        writer->add(table->vals[i], table->tupdesc);
      }
    }
    outcome.rows += n;
    spi.free_rows(table);
  }
  spi.close_cursor(portal);
  restricted.reset();
  if (writer && writer->ok()) {
    cache::store(lookup, report, writer->data(), outcome.rows);
  }
  return outcome;
}

} // namespace autoreport::reports
