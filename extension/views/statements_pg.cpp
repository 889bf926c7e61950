// How a refresh runs its statements: kept plans, a fixed snapshot, and the full refresh that writes
// only what differs.
#include "views/statements_pg.hpp"

#include "common/error.hpp"
#include "common/memory_pg.hpp"
#include "views/catalog_pg.hpp"

extern "C" {
#include "access/relation.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "executor/tstoreReceiver.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/queryenvironment.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
}

#include <map>
#include <vector>

namespace autoreport::views {

namespace {

namespace pg = autoreport::pg;

// The plan of sql, prepared once per backend and kept: a refresh's statements (the delta and merge of a
// join above all) cost more to plan than to run when few rows changed. The plan cache replans a kept
// plan when a table it reads changes; the statements name everything qualified, so their text is the
// key. At most kMaxPlans are kept (all freed when full). generic: the plan is made once for any
// parameters (CURSOR_OPT_GENERIC_PLAN); otherwise the plan cache plans each execution for its
// parameters until a generic plan costs no more (it never does for a join over a log, whose size the
// parameters decide), which is what a large change needs and a small one cannot afford.
// Statements of execute_at() running now (a write to a view can fire a capture trigger that refreshes
// another view): the kept plans are freed only when none is, never under a running one.
int g_executing = 0;

SPIPlanPtr kept_plan(const std::string& sql, const std::vector<Oid>& types, bool generic, bool* kept) {
  constexpr size_t kMaxPlans = 64;
  static std::map<std::string, SPIPlanPtr> plans;
  std::string key = (generic ? "g" : "c") + sql;
  for (Oid t : types) {
    key += "\x1f" + std::to_string(t);
  }
  const auto found = plans.find(key);
  if (found != plans.end()) {
    *kept = true;
    return found->second;
  }
  *kept = plans.size() < kMaxPlans || g_executing == 0;
  if (plans.size() >= kMaxPlans && g_executing == 0) {
    for (auto& [text, plan] : plans) {
      pg::guard([&] { SPI_freeplan(plan); });
    }
    plans.clear();
  }
  SPIPlanPtr plan = pg::guard([&] {
    SPIPlanPtr p = SPI_prepare_cursor(sql.c_str(), static_cast<int>(types.size()),
                                      const_cast<Oid*>(types.data()), generic ? CURSOR_OPT_GENERIC_PLAN : 0);
    if (p == nullptr) {
      elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    }
    if (*kept && SPI_keepplan(p) != 0) {
      elog(ERROR, "SPI_keepplan failed");
    }
    return p;
  });
  if (*kept) {
    plans.emplace(std::move(key), plan);
  }
  return plan;
}

// Runs a prepared statement at snap (see execute_at); frees the plan after unless it is kept.
pg::SpiResult execute_plan(SPIPlanPtr plan, bool kept, Snapshot snap, std::vector<Datum>& values,
                           std::vector<char>& nulls, bool read_only, const std::string& sql) {
  struct Executing {
    SPIPlanPtr plan;
    bool kept;
    Executing(SPIPlanPtr p, bool k) : plan(p), kept(k) { ++g_executing; }
    ~Executing() {
      --g_executing;
      if (!kept) {
        try {
          pg::guard([&] { SPI_freeplan(plan); });
        } catch (...) {
          // freed with its memory context at the end of the transaction
        }
      }
    }
    Executing(const Executing&) = delete;
    Executing& operator=(const Executing&) = delete;
  } executing(plan, kept);
  const int rc = pg::guard([&] {
    return SPI_execute_snapshot(plan, values.data(), nulls.data(), snap, InvalidSnapshot, read_only, true, 0);
  });
  if (rc < 0) {
    throw Error(sqlstate::internal_error, "SPI could not run a managed view's statement")
        .with_detail(std::string(SPI_result_code_string(rc)) + " for: " + sql);
  }
  return pg::SpiResult(SPI_tuptable, SPI_processed, rc);
}

SPIPlanPtr prepare(const std::string& sql) {
  return pg::guard([&] {
    SPIPlanPtr p = SPI_prepare(sql.c_str(), 0, nullptr);
    if (p == nullptr) {
      elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    }
    return p;
  });
}

// The relation the statements of a full refresh by difference read the rows that differ from.
constexpr const char* kDifference = "_ar_difference";

// The rows where a view's table and its query differ, in a tuplestore registered as relation
// kDifference in the current SPI connection while it lives.
class Difference {
public:
  Difference() = default;
  ~Difference() {
    try {
      pg::guard([&] {
        if (registered_) {
          SPI_unregister_relation(kDifference);
        }
        if (store_ != nullptr) {
          tuplestore_end(store_);
        }
      });
    } catch (...) {
      // freed with the SPI connection's memory
    }
  }
  Difference(const Difference&) = delete;
  Difference& operator=(const Difference&) = delete;

  // Runs `select` at snap (seeing this transaction's earlier writes, as execute_at does) into the
  // tuplestore, and registers it. Returns the rows.
  int64_t fill(Snapshot snap, const std::string& select) {
    SPIPlanPtr plan = prepare(select);
    pg::guard([&] {
      store_ = tuplestore_begin_heap(false, false, work_mem);
      DestReceiver* dest = CreateDestReceiver(DestTuplestore);
      SetTuplestoreDestReceiverParams(dest, store_, CurrentMemoryContext, false, nullptr, nullptr);
      CommandCounterIncrement();
      PushCopiedSnapshot(snap);
      UpdateActiveSnapshotCommandId();
      SPIExecuteOptions options;
      memset(&options, 0, sizeof options);
      options.read_only = true;
      options.dest = dest;
      const int rc = SPI_execute_plan_extended(plan, &options);
      PopActiveSnapshot();
      dest->rDestroy(dest);
      if (rc < 0) {
        elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
      }
      const CachedPlanSource* source =
          static_cast<const CachedPlanSource*>(linitial(SPI_plan_get_plan_sources(plan)));
      auto* enr = static_cast<EphemeralNamedRelation>(palloc0(sizeof(EphemeralNamedRelationData)));
      enr->md.name = pstrdup(kDifference);
      enr->md.reliddesc = InvalidOid;
      enr->md.tupdesc = CreateTupleDescCopy(source->resultDesc);
      enr->md.enrtype = ENR_NAMED_TUPLESTORE;
      enr->md.enrtuples = static_cast<double>(tuplestore_tuple_count(store_));
      enr->reldata = store_;
      if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER) {
        elog(ERROR, "SPI_register_relation failed");
      }
      registered_ = true;
      SPI_freeplan(plan);
    });
    return tuplestore_tuple_count(store_);
  }

private:
  Tuplestorestate* store_ = nullptr;
  bool registered_ = false;
};

} // namespace

pg::SpiResult execute_at(Snapshot snap, const std::string& sql, std::span<const pg::SpiParam> params,
                         bool read_only, bool generic) {
  std::vector<Oid> types;
  std::vector<Datum> values;
  std::vector<char> nulls;
  for (const pg::SpiParam& p : params) {
    types.push_back(p.type);
    values.push_back(p.value);
    nulls.push_back(p.is_null ? 'n' : ' ');
  }
  pg::MemoryContextSwitch keep(CurrentMemoryContext);
  bool kept = false;
  SPIPlanPtr plan = kept_plan(sql, types, generic, &kept);
  return execute_plan(plan, kept, snap, values, nulls, read_only, sql);
}

int64_t refresh_full_by_difference(Snapshot snap, const Maintenance& m, Oid view) {
  // The query's rows typed as the table's columns (an INSERT would have coerced them), so that they
  // compare byte for byte.
  std::vector<std::string> types;
  pg::guard([&] {
    Relation rel = relation_open(view, AccessShareLock);
    const TupleDesc desc = RelationGetDescr(rel);
    for (int a = 0; a < desc->natts; ++a) {
      const Form_pg_attribute att = TupleDescAttr(desc, a);
      if (!att->attisdropped) {
        types.emplace_back(format_type_with_typemod(att->atttypid, att->atttypmod));
      }
    }
    relation_close(rel, AccessShareLock);
  });
  if (types.size() != m.column_names().size()) {
    throw Error(sqlstate::internal_error, "a managed view's table does not have the columns of its query")
        .with_detail(relation_name(view));
  }
  pg::MemoryContextSwitch keep(CurrentMemoryContext);
  Difference difference;
  const int64_t rows = difference.fill(snap, m.full_difference(types));
  for (const std::string& sql : m.apply_difference(kDifference)) {
    std::vector<Datum> values;
    std::vector<char> nulls;
    execute_plan(prepare(sql), false, snap, values, nulls, false, sql);
  }
  return rows;
}

} // namespace autoreport::views
