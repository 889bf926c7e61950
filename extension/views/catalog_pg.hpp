// The catalog of managed views (catalog_pg.cpp), as views_pg.cpp, refresh_pg.cpp and pending_pg.cpp
// share it: a view's row of autoreport.managed_view, found and checked before a caller changes it; its
// sources recorded in view_source; a view restored from a dump taken over; and the names, checks and
// snapshot they all use.
#pragma once

#include "common/boundary_pg.hpp"
#include "common/spi_pg.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "utils/snapmgr.h"
}

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace autoreport::views {

// A registered copy of a snapshot, released at the end of the scope.
class HeldSnapshot {
public:
  HeldSnapshot() : snap_(pg::guard([] { return RegisterSnapshot(GetLatestSnapshot()); })) {}
  ~HeldSnapshot() {
    try {
      pg::guard([&] { UnregisterSnapshot(snap_); });
    } catch (...) {
      // released by the transaction's end
    }
  }
  HeldSnapshot(const HeldSnapshot&) = delete;
  HeldSnapshot& operator=(const HeldSnapshot&) = delete;
  Snapshot get() const noexcept { return snap_; }

private:
  Snapshot snap_;
};

// A row of autoreport.managed_view, as kViewColumns selects it.
struct ViewRow {
  int64_t id = 0;
  Oid relid = InvalidOid;
  Oid owner = InvalidOid;
  std::string tree;
  std::string refresh;
  bool needs_full = true;
  std::optional<std::string> full_reason;
  std::optional<std::string> snapshot;
  std::optional<std::string> xid;
  std::optional<int64_t> cid;
  bool matview = false; // an adopted materialized view (manage_view), refreshed by REFRESH MATERIALIZED VIEW
  std::string definition;
  std::string origin; // the database the row was written in (see views.sql)
};

constexpr const char* kViewColumns =
    "id, relid::bigint, owner::oid::bigint, tree, refresh, needs_full, full_reason, applied_snapshot::text, "
    "applied_xid::text, applied_cid, kind = 'materialized view', definition, origin";

// Row i of a result that selected kViewColumns.
ViewRow view_row(const pg::SpiResult& r, uint64_t i);

// This database, as managed_view.origin names it: a row written elsewhere was restored from a dump.
std::string here();

// The managed view stored in table `name` (resolved as the caller would), or 42704.
Oid resolve_view_table(const std::string& name);

// The row of the managed view in table `relid` (FOR UPDATE when `lock`), read as the current user.
std::optional<ViewRow> find_view(Oid relid, bool lock);

// The managed view in table `relid` (called `name` by the caller), read as the extension's owner and
// row-locked when `lock`: 42704 (with `hint`, if any) when it is none, 42501 unless `caller` may `verb` it.
ViewRow view_for_change(Oid caller, Oid relid, const std::string& name, const char* verb, bool lock,
                        const char* hint = nullptr);

// 25006 on a standby: `what` ("managed views are created") happens on the primary only.
void refuse_on_standby(const char* what);

// A relation's name, qualified as the user would write it.
std::string relation_name(Oid relid);

// The analysed query of a materialized view, as PostgreSQL keeps it (its _RETURN rule).
Query* matview_query(pg::SpiConnection& spi, Oid relid);

// Records the sources of view `id` (replacing what was recorded).
void record_sources(pg::SpiConnection& spi, int64_t id, const std::vector<Oid>& sources);

// Takes over view v, restored from a dump of another database (its origin), with a full refresh due.
// v is updated to match.
void take_over(pg::SpiConnection& spi, ViewRow& v);

} // namespace autoreport::views
